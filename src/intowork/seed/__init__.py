"""Demo data for `intowork seed`: companies, employers, jobs in French and English, candidates,
applications with their status history.

Deterministic: one `random.Random(seed)` draws everything in a fixed order, and every timestamp is
relative to a reference date derived from the seed (never the clock), so the same seed gives the
same rows. Only the password hash differs between runs (Argon2 salts it); it is computed once for
every demo account, because Argon2 is slow on purpose.

Fast: rows are plain dicts written with Core `insert()` in batches of 5,000 (executemany), with
ids computed here rather than returned, all in one transaction. On PostgreSQL the id sequences are
then moved past the inserted ids. The full-text columns are filled with the same folding as the
API (`search_document`), composed from cached pieces: folding is word-local, so the folded pieces
joined by spaces equal the folded whole.

Modules: `vocabulary` and `families` hold the words (data only); `stream` the random stream and
the state the draws share; `people`, `jobs` and `applications` draw the rows, in that order;
`write` inserts them; `command` is `intowork seed` with its progress bars.
"""

from intowork.seed.command import run_seed
from intowork.seed.vocabulary import DEMO_DOMAIN, DEMO_PASSWORD
from intowork.seed.write import DemoDataExists, SeedSummary, seed_demo_data

__all__ = [
    "DEMO_DOMAIN",
    "DEMO_PASSWORD",
    "DemoDataExists",
    "SeedSummary",
    "run_seed",
    "seed_demo_data",
]
