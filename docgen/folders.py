"""Where everything lies in a project, relative to its root: the content the clerk writes,
the templates, and what docgen writes under build/. The only module that names them."""

from __future__ import annotations

from pathlib import Path

CONTENT = Path("content")
REGISTRY = CONTENT / "registry"
ORGANIZATIONS = REGISTRY / "organizations.yaml"
PEOPLE = REGISTRY / "people.yaml"
ORDERS = CONTENT / "orders"
LETTERS = CONTENT / "letters"
DOCUMENTS = CONTENT / "documents"
RESERVE = CONTENT / "reserve"
CANDIDATES = RESERVE / "candidates.yaml"
INTERVIEWS = RESERVE / "interviews.yaml"
PLANS = RESERVE / "plans.yaml"
REGISTER = CONTENT / "register.yaml"  # the issue register (docgen issue)
DISPATCH = CONTENT / "dispatch.yaml"  # the dispatch journal (docgen send)

# the files of an act's folder content/orders/<act>/
ORDER = "order.yaml"
AMENDMENT = "amendment.yaml"
CAMPAIGN = "campaign.yaml"
CONTROL = "control.yaml"
LETTER = "letter.yaml"  # content/letters/<letter>/

TEMPLATES = Path("templates")
SITE_TEMPLATES = TEMPLATES / "site"
TRACKED = (CONTENT, TEMPLATES)  # what the documents are made from, and git watches

BUILD = Path("build")
EDITIONS = BUILD / "editions"
DIFFS = BUILD / "diff"
SITE = BUILD / "site"
INTRANET = BUILD / "intranet"
MAIL_DRAFTS = BUILD / "mail"
OUTBOX = BUILD / "outbox"

