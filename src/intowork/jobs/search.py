"""Full-text search over jobs, identical on SQLite (FTS5) and PostgreSQL (tsvector + GIN).

Both engines index the same text: words are extracted and folded here, in Python (lowercase, no
accents, letters and digits only), and stored in `jobs.search_text` (title + description) and
`jobs.search_company` (the company name). The engines then only split on spaces (FTS5's
unicode61 tokenizer; `array_to_tsvector` on PostgreSQL, no text-search parser), so a query
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
# Words are cut to this length, in documents and queries alike (a prefix match still finds them):
# PostgreSQL refuses lexemes over 2047 bytes, and nobody searches a 5,000-letter word.
MAX_WORD_LENGTH = 64
_WORD = re.compile(r"[^\W_]+")


def fold_words(text: str | None) -> list[str]:
    """Lowercase, accent-free words of letters and digits."""
    if not text:
        return []
    # Decompose first: compatibility forms (mathematical bold letters, ligatures) only get a
    # lowercase form once they are plain letters; then fold case, decompose what folding
    # produced, and drop the accents.
    decomposed = unicodedata.normalize("NFKD", unicodedata.normalize("NFKD", text).casefold())
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    return [word[:MAX_WORD_LENGTH] for word in _WORD.findall(stripped)]


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
        """A tsquery literal (cast, not parsed): each term quoted, as a prefix. Terms are letters
        and digits only, so the literal is always valid and a term is never split."""
        return " & ".join(f"'{term}':*" for term in self.indexed_terms)

    def sqlite_match(self) -> str:
        """For `jobs_fts MATCH :q`: each term quoted, as a prefix."""
        return " AND ".join(f'"{term}"*' for term in self.indexed_terms)


def parse_search(text: str | None) -> SearchQuery:
    terms = list(dict.fromkeys(fold_words(text)))[:MAX_TERMS]
    return SearchQuery(
        indexed_terms=tuple(t for t in terms if len(t) >= MIN_INDEXED_TERM),
        short_terms=tuple(t for t in terms if len(t) < MIN_INDEXED_TERM),
    )
