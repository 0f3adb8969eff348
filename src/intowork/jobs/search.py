"""Full-text search over jobs, identical on SQLite (FTS5) and PostgreSQL (tsvector + GIN).

Both engines index the same text: words are extracted and folded here, in Python (lowercase, no
accents, letters and digits only), and stored in `jobs.search_text` (title + description) and
`jobs.search_company` (the company name). The engines then only split on spaces, so a query
matches the same jobs on both. User input goes through the same folding and only ever reaches
SQL as bound parameters made of letters and digits: no operator or quote can get through.

Each search term is a word-prefix match ("dev" finds "développeur"), and all terms must match.
Terms of 3 characters or more use the full-text index; shorter ones fall back to a prefix match
on the folded text (an index would be no help for them).
"""

import re
import unicodedata
from dataclasses import dataclass

MIN_INDEXED_TERM = 3
MAX_TERMS = 16
_WORD = re.compile(r"[^\W_]+")


def fold_words(text: str | None) -> list[str]:
    """Lowercase, accent-free words of letters and digits."""
    if not text:
        return []
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    return _WORD.findall(stripped)


def search_document(*parts: str | None) -> str:
    """What is stored for the index: the folded words, space separated."""
    return " ".join(word for part in parts for word in fold_words(part))


@dataclass(frozen=True, slots=True)
class SearchQuery:
    indexed_terms: tuple[str, ...]
    short_terms: tuple[str, ...]

    @property
    def is_empty(self) -> bool:
        return not self.indexed_terms and not self.short_terms

    def postgresql_tsquery(self) -> str:
        """For `to_tsquery('simple', :q)`: terms are letters and digits only, so always valid."""
        return " & ".join(f"{term}:*" for term in self.indexed_terms)

    def sqlite_match(self) -> str:
        """For `jobs_fts MATCH :q`: each term quoted, as a prefix."""
        return " AND ".join(f'"{term}"*' for term in self.indexed_terms)


def parse_search(text: str | None) -> SearchQuery:
    terms = list(dict.fromkeys(fold_words(text)))[:MAX_TERMS]
    return SearchQuery(
        indexed_terms=tuple(t for t in terms if len(t) >= MIN_INDEXED_TERM),
        short_terms=tuple(t for t in terms if len(t) < MIN_INDEXED_TERM),
    )
