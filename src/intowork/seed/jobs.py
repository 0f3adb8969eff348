"""Jobs: a title, a description in the company's language, a salary and a publication story."""

from datetime import datetime, timedelta

from intowork.models.enums import JobLocation, JobStatus, JobType
from intowork.seed.families import (
    EN_BENEFITS,
    EN_CLOSINGS,
    FAMILIES,
    FR_BENEFITS,
    FR_CLOSINGS,
    Family,
)
from intowork.seed.stream import DAY, DemoData, Row
from intowork.seed.vocabulary import CITIES, JOB_STATUSES, JOB_TYPES, LOCATION_TYPES


def draw_job(data: DemoData) -> Row:
    rng = data.rng
    job_id = data.next_id("jobs")
    company = data.company_choice.draw(rng)
    company_name, company_french = data.companies[company]
    employer_id, employer_user_id = rng.choice(data.teams[company])
    family = FAMILIES.draw(rng)
    french = company_french if rng.random() < 0.85 else not company_french
    title = rng.choice(family.fr_titles if french else family.en_titles)
    job_type = JOB_TYPES.draw(rng)
    location_type = LOCATION_TYPES.draw(rng)
    city = CITIES.draw(rng)
    skills = rng.sample(family.skills, 3)
    years = rng.randint(0, 8)
    location: str | None = city.name
    if french:
        if location_type is JobLocation.REMOTE:
            location = rng.choice((None, city.country, "Télétravail"))
        place = "en télétravail." if location_type is JobLocation.REMOTE else f"à {city.name}."
        # Pieces, folded one by one (see `intowork.seed`); joined, they read as prose.
        intro = (company_name, " recrute un·e ", title, " pour renforcer son équipe ", place)
        sentences = [
            *rng.sample(family.fr_missions, rng.randint(1, 2)),
            f"Vous travaillerez avec {skills[0]}, {skills[1]} et {skills[2]}.",
            rng.choice(FR_CLOSINGS),
        ]
        requirements = f"{years} an(s) d'expérience minimum ; maîtrise de {skills[0]}."
        benefits = rng.choice(FR_BENEFITS)
    else:
        if location_type is JobLocation.REMOTE:
            location = rng.choice((None, city.country, "Remote"))
        place = "remotely." if location_type is JobLocation.REMOTE else f"in {city.name}."
        intro = (company_name, " is looking for a new ", title, " to join its team ", place)
        sentences = [
            *rng.sample(family.en_missions, rng.randint(1, 2)),
            f"You will work with {skills[0]}, {skills[1]} and {skills[2]}.",
            rng.choice(EN_CLOSINGS),
        ]
        requirements = f"At least {years} year(s) of experience; good command of {skills[0]}."
        benefits = rng.choice(EN_BENEFITS)
    salary_min, salary_max = draw_salary(data, family, job_type, city.currency)
    status = JOB_STATUSES.draw(rng)
    posted_at: datetime | None = None
    views = 0
    if status is JobStatus.DRAFT:
        created_at = data.ago(60)
        updated_at = data.between(created_at, data.now)
    else:
        posted_at = data.ago(60) if status is JobStatus.PUBLISHED else data.ago(150, 20)
        created_at = posted_at - timedelta(seconds=rng.randint(0, 3 * DAY))
        updated_at = posted_at if status is JobStatus.PUBLISHED else data.ago(20)
        views = int((data.now - posted_at).total_seconds() / DAY * rng.uniform(0.5, 25))
        if status is JobStatus.PUBLISHED:
            if company == 0:
                data.busy.append(len(data.published))
            data.published.append((job_id, posted_at, employer_user_id))
    folded = (data.fold(piece) for piece in (title, *intro, *sentences))
    return {
        "id": job_id,
        "employer_id": employer_id,
        "company_id": data.first["companies"] + company,
        "title": title,
        "description": " ".join(("".join(intro), *sentences)),
        "requirements": requirements,
        "responsibilities": sentences[0],
        "benefits": benefits if rng.random() < 0.8 else None,
        "job_type": job_type,
        "location_type": location_type,
        "location": location,
        "salary_min": salary_min,
        "salary_max": salary_max,
        "currency": city.currency,
        "status": status,
        "is_featured": status is JobStatus.PUBLISHED and rng.random() < 0.05,
        "views_count": views,
        "posted_at": posted_at,
        "search_text": " ".join(words for words in folded if words),
        "search_company": data.fold(company_name),
        "created_at": created_at,
        "updated_at": updated_at,
    }


def draw_salary(
    data: DemoData, family: Family, job_type: JobType, currency: str
) -> tuple[int | None, ...]:
    shape = data.rng.random()
    if shape < 0.12:
        return None, None
    low, high = family.salary
    if job_type is JobType.INTERNSHIP:
        low, high = 8, 16
    elif job_type is JobType.PART_TIME:
        low, high = low // 2, high // 2
    factor = {"CHF": 1.6, "GBP": 0.9, "CAD": 1.4}.get(currency, 1.0)
    minimum = int(data.rng.randint(low, high) * factor) * 1000
    if shape < 0.2:
        return minimum, None
    return minimum, minimum + data.rng.randint(2, 15) * 1000
