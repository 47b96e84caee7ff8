package web

// catalog holds every string of the interface, per language. Keys are
// "area.name"; values may hold fmt verbs filled by locale.T's arguments.
// A test checks that both languages have the same keys and that every key
// the templates and handlers use exists.
var catalog = map[string]map[string]string{
	"en": {
		"lang.switch":  "Français",
		"digest.title": "Campaigns in this digest", "digest.intro": "Every campaign this post tells, as of %s.", "digest.by": "by %s",
		"nav.label": "Main", "nav.queue": "Queue", "nav.calendar": "Calendar", "nav.problems": "Problems",
		"nav.campaigns": "Campaigns", "nav.compose": "Compose", "nav.feeds": "Feeds", "nav.engagement": "Engagement",
		"nav.audit": "Audit", "nav.logout": "Log out", "nav.back_home": "Back to the queue",
		"nav.calendar_count": "approved posts waiting to go out", "role.manager": "manager", "role.viewer": "viewer",
		"banner.paused": "Publishing to %s is paused", "banner.since": "since %s", "banner.resume": "Resume publishing",
		"flash.resumed": "Publishing to %s resumed.",
		"banner.source": "Campaign data from the %s is failing since %s", "banner.source_last_ok": "last success %s",
		"source.poll": "platform listing (poll)", "source.webhook": "platform webhook", "source.import": "import",
		"cstate.ended": "closed",

		"state.pending": "pending", "state.approved": "approved", "state.publishing": "publishing",
		"state.published": "published", "state.rejected": "rejected", "state.expired": "expired",
		"state.failed": "failed", "state.unknown": "unknown", "state.duplicate": "duplicate",
		"cstate.live": "live", "cstate.successful": "funded", "cstate.failed": "not funded", "cstate.canceled": "canceled",
		"kind.milestone": "milestone", "kind.story": "story", "kind.curated": "curated", "kind.manual": "manual", "kind.digest": "digest",
		"milestone.launch": "launch", "milestone.percent": "%s%% funded",
		"milestone.backers": "%s backers", "milestone.backers_one": "%s backer",
		"milestone.stretch": "stretch goal %d", "milestone.stretch_named": "stretch goal: %s",
		"milestone.ending_hours": "%d hours left", "milestone.ending_hours_one": "%d hour left",
		"milestone.ending_minutes": "%d minutes left", "milestone.ending_minutes_one": "%d minute left",
		"milestone.ended_successful": "Funded!",

		"net.x": "X", "net.facebook": "Facebook",
		"day.0": "Sun", "day.1": "Mon", "day.2": "Tue", "day.3": "Wed", "day.4": "Thu", "day.5": "Fri", "day.6": "Sat",
		"month.1": "Jan", "month.2": "Feb", "month.3": "Mar", "month.4": "Apr", "month.5": "May", "month.6": "Jun",
		"month.7": "Jul", "month.8": "Aug", "month.9": "Sep", "month.10": "Oct", "month.11": "Nov", "month.12": "Dec",

		"action.approve": "Approve", "action.approve_all": "Approve all %d", "action.approve_selected": "Approve selected",
		"action.reject": "Reject", "action.reject_selected": "Reject selected", "action.edit": "Edit", "action.save": "Save",
		"action.retry": "Retry", "action.mark_published": "Mark published", "action.discard": "Discard",
		"field.text": "Text", "field.link": "Link", "field.image": "Image URL (https)", "field.lang": "Language",
		"field.reason": "Reason", "field.post_url": "URL of the post on the network",
		"edit.server_checks": "the server will check the length",

		"login.title": "Sign in", "login.name": "Name", "login.password": "Password", "login.submit": "Sign in",
		"login.bad":      "Wrong name or password.",
		"login.limited":  "Too many attempts. Wait 15 minutes before trying again.",
		"login.no_users": "No users are configured: use the one-time link printed on the console.",
		"login.once_bad": "This sign-in link is invalid, expired or already used. Restart Fanfare for a new one.",

		"queue.title": "Waiting for approval", "queue.empty": "Nothing waits for approval.",
		"queue.bulk": "With the checked posts:", "queue.select": "Select this post",
		"queue.more": "Showing %d of %d pending posts.",

		"post.title": "Post", "post.details": "details", "post.last_error": "Network said:", "post.on_network": "See it on the network",
		"post.not_after": "until", "post.scheduled": "slot", "post.kind": "Kind", "post.campaign": "Campaign",
		"post.source": "Source", "post.created": "Created", "post.published": "Published", "post.slot": "Slot rule",
		"post.attempts": "Attempts",

		"calendar.title": "Calendar", "calendar.prev": "Earlier", "calendar.next": "Later", "calendar.days": "%d days",
		"calendar.zone": "Times in %s", "calendar.reschedule": "Reschedule",
		"calendar.truncated": "Some posts are not shown: more than 500 in one state.",

		"calendar.awaiting": "Awaiting a slot (placed at the next publish run)", "calendar.outside": "%d more approved post(s) have a slot outside these days.",

		"pager.prev": "Previous", "pager.next": "Next",
		"campaigns.title": "Campaigns", "campaigns.all": "All", "campaigns.empty": "No campaigns tracked yet.",
		"campaign.title": "Campaign", "campaign.backers": "%d backers", "campaign.days_left": "%d days left",
		"campaign.deadline": "ends", "campaign.history": "Pledged over time (%d samples)", "campaign.no_history": "No history yet.",
		"campaign.milestones": "Milestones", "campaign.no_milestones": "No milestone yet.",
		"campaign.posted": "posted", "campaign.silent": "recorded silently",
		"campaign.posts": "Posts", "campaign.no_posts": "No post for this campaign.",

		"problems.title": "Problems", "problems.empty": "No problems.",
		"problems.hint": "Failed posts were refused by the network; unknown ones may have gone out (check the account before retrying); duplicates already exist.",

		"feeds.title": "Feeds", "feeds.none": "Feed curation is not configured.", "feeds.empty": "No feeds yet.",
		"feeds.feed": "Feed", "feeds.last_fetch": "Last fetch", "feeds.status": "Status", "feeds.items": "Items",
		"feeds.curated": "Curated", "feeds.fetch_now": "Fetch now", "feeds.remove": "Remove", "feeds.add": "Add a feed",
		"feeds.keywords": "Keywords (comma separated)", "feeds.auto": "auto-approve", "feeds.no_fetch": "Fetching on demand is not available.",

		"engagement.title": "Engagement", "engagement.none": "Engagement tracking is not configured.",
		"engagement.summary": "Averages since %s", "engagement.recent": "Recent posts", "engagement.network": "Network",
		"engagement.variant": "Variant", "engagement.posts": "Posts", "engagement.likes": "Likes", "engagement.shares": "Shares",
		"engagement.replies": "Replies", "engagement.impressions": "Impressions", "engagement.post": "Post",
		"engagement.read_at": "Read at", "engagement.no_reading": "no reading yet",

		"compose.title": "Compose", "compose.networks": "Networks", "compose.when": "When (%s, empty: next free slot)",
		"compose.approve_now": "Approve now", "compose.preview": "Preview", "compose.create": "Queue it",

		"audit.title": "Audit log", "audit.empty": "Nothing happened yet.", "audit.when": "When", "audit.who": "Who",
		"audit.what": "What", "audit.why": "Why", "audit.post": "Post",

		"flash.approved": "%d post(s) approved.", "flash.rejected": "%d post(s) rejected.", "flash.edited": "Post saved.",
		"flash.rescheduled": "Post rescheduled.", "flash.retried": "Post back in the publishing queue.",
		"flash.resolved": "Post resolved.", "flash.bulk_failed": "Not done: %s",
		"flash.feed_added": "Feed added.", "flash.feed_removed": "Feed removed.", "flash.fetched": "Feed fetched.",
		"flash.fetch_failed": "Fetch failed: %s", "flash.composed": "%d post(s) queued.",

		"err.title": "Something is wrong", "err.internal": "Something went wrong on our side; it has been logged.",
		"err.csrf":           "This form has expired. Go back, reload the page and try again.",
		"err.viewer":         "Your role is viewer: you can look but not change anything.",
		"err.post_not_found": "That post does not exist (any more).", "err.campaign_not_found": "That campaign is not tracked.",
		"err.wrong_state": "Not possible now: %s", "err.field": "%s: %s", "err.reason_required": "a reason is required",
		"err.url_required": "the post's URL (https://…) is required", "err.bad_time": "is not a date and time",
		"err.none_selected": "no post selected", "err.cross_origin": "This request came from another site or page, so it was refused. Open Fanfare from its own address, reload the page and try again.",
	},
	"fr": {
		"lang.switch":  "English",
		"digest.title": "Les campagnes de ce récapitulatif", "digest.intro": "Toutes les campagnes dont parle cette publication, au %s.", "digest.by": "par %s",
		"nav.label": "Principal", "nav.queue": "File", "nav.calendar": "Calendrier", "nav.problems": "Problèmes",
		"nav.campaigns": "Campagnes", "nav.compose": "Rédiger", "nav.feeds": "Flux", "nav.engagement": "Engagement",
		"nav.audit": "Journal", "nav.logout": "Se déconnecter", "nav.back_home": "Retour à la file",
		"nav.calendar_count": "publications approuvées en attente d'envoi", "role.manager": "gestionnaire", "role.viewer": "lecteur",
		"banner.paused": "La publication sur %s est en pause", "banner.since": "depuis le %s", "banner.resume": "Reprendre la publication",
		"flash.resumed": "La publication sur %s a repris.",
		"banner.source": "Les données de campagnes venant de %s sont en échec depuis le %s", "banner.source_last_ok": "dernier succès le %s",
		"source.poll": "la liste de la plateforme (poll)", "source.webhook": "le webhook de la plateforme", "source.import": "l'import",
		"cstate.ended": "clôturée",

		"state.pending": "en attente", "state.approved": "approuvé", "state.publishing": "en cours d'envoi",
		"state.published": "publié", "state.rejected": "refusé", "state.expired": "expiré",
		"state.failed": "échec", "state.unknown": "incertain", "state.duplicate": "doublon",
		"cstate.live": "en cours", "cstate.successful": "financée", "cstate.failed": "non financée", "cstate.canceled": "annulée",
		"kind.milestone": "palier", "kind.story": "portrait", "kind.curated": "veille", "kind.manual": "manuel", "kind.digest": "résumé",
		"milestone.launch": "lancement", "milestone.percent": "financé à %s\u00a0%%",
		"milestone.backers": "%s contributeurs", "milestone.backers_one": "%s contributeur",
		"milestone.stretch": "objectif bonus %d", "milestone.stretch_named": "objectif bonus\u00a0: %s",
		"milestone.ending_hours": "encore %d heures", "milestone.ending_hours_one": "encore %d heure",
		"milestone.ending_minutes": "encore %d minutes", "milestone.ending_minutes_one": "encore %d minute",
		"milestone.ended_successful": "Objectif atteint\u00a0!",

		"net.x": "X", "net.facebook": "Facebook",
		"day.0": "dim.", "day.1": "lun.", "day.2": "mar.", "day.3": "mer.", "day.4": "jeu.", "day.5": "ven.", "day.6": "sam.",
		"month.1": "janv.", "month.2": "févr.", "month.3": "mars", "month.4": "avr.", "month.5": "mai", "month.6": "juin",
		"month.7": "juil.", "month.8": "août", "month.9": "sept.", "month.10": "oct.", "month.11": "nov.", "month.12": "déc.",

		"action.approve": "Approuver", "action.approve_all": "Approuver les %d", "action.approve_selected": "Approuver la sélection",
		"action.reject": "Refuser", "action.reject_selected": "Refuser la sélection", "action.edit": "Modifier", "action.save": "Enregistrer",
		"action.retry": "Réessayer", "action.mark_published": "Marquer publié", "action.discard": "Abandonner",
		"field.text": "Texte", "field.link": "Lien", "field.image": "URL de l'image (https)", "field.lang": "Langue",
		"field.reason": "Motif", "field.post_url": "URL de la publication sur le réseau",
		"edit.server_checks": "le serveur vérifiera la longueur",

		"login.title": "Connexion", "login.name": "Nom", "login.password": "Mot de passe", "login.submit": "Se connecter",
		"login.bad":      "Nom ou mot de passe incorrect.",
		"login.limited":  "Trop de tentatives. Attendez 15 minutes avant de réessayer.",
		"login.no_users": "Aucun utilisateur n'est configuré : utilisez le lien à usage unique affiché sur la console.",
		"login.once_bad": "Ce lien de connexion est invalide, expiré ou déjà utilisé. Redémarrez Fanfare pour en obtenir un nouveau.",

		"queue.title": "En attente d'approbation", "queue.empty": "Rien n'attend d'approbation.",
		"queue.bulk": "Avec les publications cochées :", "queue.select": "Sélectionner cette publication",
		"queue.more": "%d publications en attente affichées sur %d.",

		"post.title": "Publication", "post.details": "détails", "post.last_error": "Le réseau a répondu :", "post.on_network": "La voir sur le réseau",
		"post.not_after": "jusqu'au", "post.scheduled": "créneau", "post.kind": "Type", "post.campaign": "Campagne",
		"post.source": "Source", "post.created": "Créée", "post.published": "Publiée", "post.slot": "Règle du créneau",
		"post.attempts": "Tentatives",

		"calendar.title": "Calendrier", "calendar.prev": "Avant", "calendar.next": "Après", "calendar.days": "%d jours",
		"calendar.zone": "Heures en %s", "calendar.reschedule": "Replanifier",
		"calendar.truncated": "Certaines publications ne sont pas affichées : plus de 500 dans un même état.",

		"calendar.awaiting": "En attente d'un créneau (attribué au prochain cycle de publication)", "calendar.outside": "%d autre(s) publication(s) approuvée(s) ont un créneau en dehors de ces jours.",

		"pager.prev": "Précédent", "pager.next": "Suivant",
		"campaigns.title": "Campagnes", "campaigns.all": "Toutes", "campaigns.empty": "Aucune campagne suivie pour l'instant.",
		"campaign.title": "Campagne", "campaign.backers": "%d contributeurs", "campaign.days_left": "%d jours restants",
		"campaign.deadline": "fin le", "campaign.history": "Montant collecté dans le temps (%d relevés)", "campaign.no_history": "Pas encore d'historique.",
		"campaign.milestones": "Paliers", "campaign.no_milestones": "Aucun palier pour l'instant.",
		"campaign.posted": "publié", "campaign.silent": "enregistré sans publication",
		"campaign.posts": "Publications", "campaign.no_posts": "Aucune publication pour cette campagne.",

		"problems.title": "Problèmes", "problems.empty": "Aucun problème.",
		"problems.hint": "Les échecs ont été refusés par le réseau ; les incertains sont peut-être partis (vérifiez le compte avant de réessayer) ; les doublons existent déjà.",

		"feeds.title": "Flux", "feeds.none": "La veille de flux n'est pas configurée.", "feeds.empty": "Aucun flux pour l'instant.",
		"feeds.feed": "Flux", "feeds.last_fetch": "Dernière lecture", "feeds.status": "État", "feeds.items": "Articles",
		"feeds.curated": "Retenus", "feeds.fetch_now": "Lire maintenant", "feeds.remove": "Retirer", "feeds.add": "Ajouter un flux",
		"feeds.keywords": "Mots-clés (séparés par des virgules)", "feeds.auto": "approbation automatique", "feeds.no_fetch": "La lecture à la demande n'est pas disponible.",

		"engagement.title": "Engagement", "engagement.none": "Le suivi de l'engagement n'est pas configuré.",
		"engagement.summary": "Moyennes depuis le %s", "engagement.recent": "Publications récentes", "engagement.network": "Réseau",
		"engagement.variant": "Variante", "engagement.posts": "Publications", "engagement.likes": "J'aime", "engagement.shares": "Partages",
		"engagement.replies": "Réponses", "engagement.impressions": "Impressions", "engagement.post": "Publication",
		"engagement.read_at": "Relevé le", "engagement.no_reading": "pas encore de relevé",

		"compose.title": "Rédiger", "compose.networks": "Réseaux", "compose.when": "Quand (%s, vide : prochain créneau libre)",
		"compose.approve_now": "Approuver tout de suite", "compose.preview": "Aperçu", "compose.create": "Mettre en file",

		"audit.title": "Journal", "audit.empty": "Rien ne s'est encore passé.", "audit.when": "Quand", "audit.who": "Qui",
		"audit.what": "Quoi", "audit.why": "Pourquoi", "audit.post": "Publication",

		"flash.approved": "%d publication(s) approuvée(s).", "flash.rejected": "%d publication(s) refusée(s).", "flash.edited": "Publication enregistrée.",
		"flash.rescheduled": "Publication replanifiée.", "flash.retried": "Publication remise dans la file d'envoi.",
		"flash.resolved": "Publication réglée.", "flash.bulk_failed": "Non fait : %s",
		"flash.feed_added": "Flux ajouté.", "flash.feed_removed": "Flux retiré.", "flash.fetched": "Flux lu.",
		"flash.fetch_failed": "Lecture impossible : %s", "flash.composed": "%d publication(s) mise(s) en file.",

		"err.title": "Un problème est survenu", "err.internal": "Une erreur s'est produite de notre côté ; elle a été journalisée.",
		"err.csrf":           "Ce formulaire a expiré. Revenez en arrière, rechargez la page et réessayez.",
		"err.viewer":         "Votre rôle est lecteur : vous pouvez consulter mais rien modifier.",
		"err.post_not_found": "Cette publication n'existe pas (ou plus).", "err.campaign_not_found": "Cette campagne n'est pas suivie.",
		"err.wrong_state": "Impossible maintenant : %s", "err.field": "%s : %s", "err.reason_required": "un motif est obligatoire",
		"err.url_required": "l'URL de la publication (https://…) est obligatoire", "err.bad_time": "n'est pas une date et une heure",
		"err.none_selected": "aucune publication sélectionnée", "err.cross_origin": "Cette demande venait d'un autre site ou d'une autre page : elle a été refusée. Ouvrez Fanfare à sa propre adresse, rechargez la page et réessayez.",
	},
}
