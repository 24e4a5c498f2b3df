"""Bench entry of issue 11: the home screen ("Tổng quan") of one commune, its figures and its
four charts, under half a second at 8,000 households."""

from __future__ import annotations

from bench.measure import Context, Entry, entry, register, timed


@register
def home_screen(ctx: Context) -> list[Entry]:
    """What the home screen reads when it opens (``dashboard.commune_overview`` and the data
    of its four charts), on a copy of the largest commune."""
    from gnapp.db import connection, dashboard

    db = connection.connect(ctx.commune_copy("home.sqlite"))
    try:
        households = db.execute("SELECT count(*) FROM household WHERE deleted = 0").fetchone()[0]

        def open_home() -> None:
            overview = dashboard.commune_overview(db)
            dashboard.village_rate_chart(overview)
            dashboard.rate_history_chart(db, overview=overview)
            dashboard.money_chart(overview.money, overview.money_year, overview.today)

        seconds = timed(open_home)
    finally:
        db.close()
    return [entry(f"home screen of one commune, {households} households (s)", seconds, "s",
                  at_most=0.5, note="dashboard.commune_overview and the data of its four "
                                    "charts, best of 3 (the widgets' painting not included)")]
