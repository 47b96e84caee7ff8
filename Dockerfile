# Fanfare as a container image: a static binary on an empty base, with the CA
# certificates it needs to speak TLS to the networks, Redis and feeds, running
# as a user without privileges. Build and run:
#   docker build -t fanfare --build-arg VERSION=$(git describe --tags --always) .
#   docker run -p 8080:8080 -v $PWD/config.yaml:/etc/fanfare/config.yaml:ro \
#     -e FANFARE_REDIS_URL=redis://redis:6379/0 fanfare
# The config's http.listen must be 0.0.0.0:8080 inside a container (and
# dashboard.users set: without users Fanfare listens on 127.0.0.1 only).

FROM golang:1.26 AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
ARG VERSION=""
# CGO off: a static binary that runs on scratch. Time zones are embedded
# (time/tzdata in cmd/fanfare), and VCS information is left to -X since the
# build context has no .git.
RUN CGO_ENABLED=0 go build -trimpath -buildvcs=false \
      -ldflags "-s -w -X main.version=${VERSION}" \
      -o /out/fanfare ./cmd/fanfare

FROM scratch
COPY --from=build /etc/ssl/certs/ca-certificates.crt /etc/ssl/certs/ca-certificates.crt
COPY --from=build /out/fanfare /fanfare
# nobody:nogroup by number: scratch has no /etc/passwd.
USER 65534:65534
EXPOSE 8080
ENV FANFARE_CONFIG=/etc/fanfare/config.yaml
ENTRYPOINT ["/fanfare"]
CMD ["run"]
