"""Dosing as phases: regimens stored in the old shape (one dose, loading weeks, one maintenance
schedule) are rewritten as phases, on policy versions (dosing_regimen) and cases (regimen).

    {dose_amount, dose_unit, route, loading_weeks: [0, 1, 2],
     maintenance: {every, unit, start_week}}
becomes
    {phases: [{name: Loading, dose: {amount, unit}, route, schedule: {at: [0, 1, 2], unit: week},
               initial_only: true},
              {name: Maintenance, dose: {amount, unit}, route,
               schedule: {every, unit, start: start_week, start_unit: week}}]}

The old shape counted a loading dose and a maintenance dose on one day once; the phases count
each, so a loading week on which a maintenance dose falls is left out of the loading series
(the quantities stay the same). A regimen already in the new shape, or one that is not an
old-shape mapping, is left as it is.

Migration 0015's trigger refuses any change to a non-draft policy version: it is switched off
for this data fix only (PostgreSQL; same transaction), then on again.
"""

from datetime import date, timedelta

from django.db import migrations

VERSION_TRIGGER = "reviews_policyversion_locked"
OLD_KEYS = {"dose_amount", "dose_unit", "route", "loading_weeks", "maintenance"}


def _add_months(start: date, months: int) -> date:
    import calendar

    index = start.month - 1 + months
    year, month = start.year + index // 12, index % 12 + 1
    return date(year, month, min(start.day, calendar.monthrange(year, month)[1]))


def _maintenance_days(maintenance: dict, until_day: int) -> set[int]:
    """The days (from day 0) of the old maintenance doses up to `until_day`."""
    origin = date(2000, 1, 1)
    first = origin + timedelta(weeks=maintenance.get("start_week", 0))
    days, step = set(), 0
    while True:
        count = step * maintenance["every"]
        if maintenance["unit"] == "calendar_month":
            when = _add_months(first, count)
        elif maintenance["unit"] == "week":
            when = first + timedelta(weeks=count)
        else:
            when = first + timedelta(days=count)
        if (when - origin).days > until_day:
            return days
        days.add((when - origin).days)
        step += 1


def to_phases(old):
    """The old shape as phases; anything else unchanged."""
    if not isinstance(old, dict) or "phases" in old or not set(old) <= OLD_KEYS:
        return old
    if "dose_amount" not in old or "dose_unit" not in old or "route" not in old:
        return old
    dose = {"amount": str(old["dose_amount"]), "unit": old["dose_unit"]}
    maintenance = old.get("maintenance")
    weeks = list(old.get("loading_weeks") or [])
    if maintenance and weeks:
        taken = _maintenance_days(maintenance, until_day=7 * max(weeks))
        weeks = [w for w in weeks if 7 * w not in taken]
    phases = []
    if weeks:
        phases.append(
            {
                "name": "Loading",
                "dose": dict(dose),
                "route": old["route"],
                "schedule": {"at": weeks, "unit": "week"},
                "initial_only": True,
            }
        )
    if maintenance:
        schedule = {"every": maintenance["every"], "unit": maintenance["unit"]}
        if maintenance.get("start_week"):
            schedule.update(start=maintenance["start_week"], start_unit="week")
        phases.append(
            {"name": "Maintenance", "dose": dict(dose), "route": old["route"], "schedule": schedule}
        )
    return {"phases": phases} if phases else old


def to_old(new):
    """Back, when the phases fit the old shape (one fixed dose and route; a loading series in
    weeks, initial-only; at most one repeating phase from a whole week); else unchanged."""
    if not isinstance(new, dict) or set(new) != {"phases"}:
        return new
    phases = new["phases"]
    series = [p for p in phases if "at" in p.get("schedule", {})]
    repeating = [p for p in phases if "every" in p.get("schedule", {})]
    doses = {(p["dose"].get("amount"), p["dose"].get("unit"), p["route"]) for p in phases}
    if len(doses) != 1 or len(series) > 1 or len(repeating) > 1 or None in next(iter(doses)):
        return new
    if series and (series[0]["schedule"]["unit"] != "week" or not series[0].get("initial_only")):
        return new
    if repeating and (
        repeating[0].get("initial_only")
        or (
            repeating[0]["schedule"].get("start")
            and repeating[0]["schedule"]["start_unit"] != "week"
        )
    ):
        return new
    amount, unit, route = next(iter(doses))
    old = {
        "dose_amount": amount,
        "dose_unit": unit,
        "route": route,
        "loading_weeks": series[0]["schedule"]["at"] if series else [],
    }
    if repeating:
        schedule = repeating[0]["schedule"]
        old["maintenance"] = {
            "every": schedule["every"],
            "unit": schedule["unit"],
            "start_week": schedule.get("start", 0),
        }
    return old


def _rewrite(apps, schema_editor, convert):
    PolicyVersion = apps.get_model("reviews", "PolicyVersion")
    Case = apps.get_model("reviews", "Case")
    postgres = schema_editor.connection.vendor == "postgresql"
    if postgres:
        # ALTER TABLE refuses while deferred checks (foreign keys) are pending in the
        # transaction: run them now.
        schema_editor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        schema_editor.execute(
            f"ALTER TABLE reviews_policyversion DISABLE TRIGGER {VERSION_TRIGGER}"
        )
    try:
        for version in PolicyVersion.objects.exclude(dosing_regimen=None).only("dosing_regimen"):
            changed = convert(version.dosing_regimen)
            if changed != version.dosing_regimen:
                PolicyVersion.objects.filter(pk=version.pk).update(dosing_regimen=changed)
        for case in Case.objects.only("regimen").iterator():
            changed = convert(case.regimen)
            if changed != case.regimen:
                Case.objects.filter(pk=case.pk).update(regimen=changed)
    finally:
        if postgres:
            schema_editor.execute(
                f"ALTER TABLE reviews_policyversion ENABLE TRIGGER {VERSION_TRIGGER}"
            )


def forwards(apps, schema_editor):
    _rewrite(apps, schema_editor, to_phases)


def backwards(apps, schema_editor):
    _rewrite(apps, schema_editor, to_old)


class Migration(migrations.Migration):
    dependencies = [("reviews", "0017_clinical_facts")]

    operations = [migrations.RunPython(forwards, backwards)]
