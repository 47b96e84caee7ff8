package importer

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
)

// json streams records from a top-level array, from the array under
// ItemsPath in a top-level object, or from a stream of objects (JSON Lines).
func (im *run) json(br *bufio.Reader) error {
	if head, _ := br.Peek(3); bytes.Equal(head, []byte("\ufeff")) {
		_, _ = br.Discard(3)
	}
	first, err := firstByte(br)
	if err != nil {
		return err
	}
	dec := json.NewDecoder(br)
	dec.UseNumber()
	switch {
	case first == '[':
		if _, err := dec.Token(); err != nil {
			return im.syntax(err)
		}
		if err := im.jsonArray(dec); err != nil {
			return err
		}
		return im.jsonEnd(dec)
	case first == '{' && im.o.ItemsPath != "":
		return im.jsonObject(dec)
	case first == '{':
		for {
			var rec any
			err := dec.Decode(&rec)
			if errors.Is(err, io.EOF) {
				return nil
			}
			if err != nil {
				return im.syntax(err)
			}
			if err := im.record(im.sum.Rows+1, rec); err != nil {
				return err
			}
		}
	default:
		return fmt.Errorf("importer: the JSON file starts with %q, want an array or objects", first)
	}
}

// jsonObject finds ItemsPath among the top-level keys, skipping the others.
func (im *run) jsonObject(dec *json.Decoder) error {
	if _, err := dec.Token(); err != nil {
		return im.syntax(err)
	}
	found := false
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return im.syntax(err)
		}
		if key, _ := tok.(string); key == im.o.ItemsPath && !found {
			found = true
			tok, err := dec.Token()
			if err != nil {
				return im.syntax(err)
			}
			if d, ok := tok.(json.Delim); !ok || d != '[' {
				return fmt.Errorf("importer: %q is not an array of records (items_path)", im.o.ItemsPath)
			}
			if err := im.jsonArray(dec); err != nil {
				return err
			}
			continue
		}
		var skip json.RawMessage
		if err := dec.Decode(&skip); err != nil {
			return im.syntax(err)
		}
	}
	if _, err := dec.Token(); err != nil {
		return im.syntax(err)
	}
	if !found {
		return fmt.Errorf("importer: the JSON object has no %q key (items_path)", im.o.ItemsPath)
	}
	return im.jsonEnd(dec)
}

// jsonArray reads records up to and including the closing bracket.
func (im *run) jsonArray(dec *json.Decoder) error {
	for dec.More() {
		if err := im.ctx.Err(); err != nil {
			return fmt.Errorf("importer: stopped after %d rows: %w", im.sum.Rows, err)
		}
		var rec any
		if err := dec.Decode(&rec); err != nil {
			return im.syntax(err)
		}
		if err := im.record(im.sum.Rows+1, rec); err != nil {
			return err
		}
	}
	if _, err := dec.Token(); err != nil {
		return im.syntax(err)
	}
	return nil
}

func (im *run) jsonEnd(dec *json.Decoder) error {
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return fmt.Errorf("importer: data after the end of the JSON value (after record %d)", im.sum.Rows)
	}
	return nil
}

// syntax reports an error that stops the import: JSON cannot resume after one.
func (im *run) syntax(err error) error {
	if errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) {
		return fmt.Errorf("importer: the JSON file ends early, after record %d", im.sum.Rows)
	}
	var se *json.SyntaxError
	if errors.As(err, &se) {
		return fmt.Errorf("importer: invalid JSON at byte %d, after record %d: %w", se.Offset, im.sum.Rows, err)
	}
	return fmt.Errorf("importer: unable to read JSON after record %d: %w", im.sum.Rows, err)
}

func firstByte(br *bufio.Reader) (byte, error) {
	for {
		b, err := br.ReadByte()
		if err != nil {
			if errors.Is(err, io.EOF) {
				return 0, errors.New("importer: the file is empty")
			}
			return 0, fmt.Errorf("importer: unable to read: %w", err)
		}
		switch b {
		case ' ', '\t', '\r', '\n':
			continue
		}
		return b, br.UnreadByte()
	}
}
