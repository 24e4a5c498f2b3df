"""The schema, built only by ordered migrations (STYLE.md §6).

Migration functions are never edited once released: a change is a new function. The
schema's major.minor version is also kept in ``PRAGMA user_version`` so that an older
program can refuse a file made by a newer, incompatible one (``gnapp.db.connection``).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlite_utils import Database, Migrations

from gnapp.db.registry import SYNCABLE

# Bump MINOR for additive changes older code can live with, MAJOR for anything else.
# 1.5: m014–m017 (foreign-key indexes, household_round, login lockout, search prefixes).
# 1.6: m018 (households by status, and those with errors, in the register's order).
# An older program writing a 1.5 file leaves household_round behind; the next open by a newer
# one refreshes what it changed (``household_rounds.catch_up``).
# 1.7: m019 (new household index lines get their search words from the code that adds them,
# not from a trigger). An older program adding lines to a 1.7 file leaves them out of the
# search; the next open by a newer one rebuilds the search index (``catch_up`` too).
# 1.8: m020 (two indexes no query used are dropped).
SCHEMA_MAJOR = 1
SCHEMA_MINOR = 8

migrations = Migrations("gnapp")

FTS_TOKENIZE = "unicode61 remove_diacritics 2"

# Columns every syncable table starts with (registry.SYNC_COLUMNS).
_SYNC_COLUMNS_SQL = """
    id TEXT PRIMARY KEY NOT NULL,
    site_id TEXT NOT NULL,
    owner_unit TEXT NOT NULL,
    version INTEGER NOT NULL CHECK (version >= 1),
    updated_at TEXT NOT NULL,
    updated_by TEXT NOT NULL,
    deleted INTEGER NOT NULL DEFAULT 0 CHECK (deleted IN (0, 1))"""


def create_synced_table(db: Database, name: str, body: str) -> None:
    """Create a syncable table: the sync columns of SYNC.md §3, then ``body``.

    Foreign keys in ``body`` to other syncable rows must be written
    ``DEFERRABLE INITIALLY DEFERRED`` so a package applies in any row order.
    """
    db.execute(f"CREATE TABLE {name} ({_SYNC_COLUMNS_SQL},\n{body})")
    db.execute(f"CREATE INDEX {name}_owner ON {name}(owner_unit)")


# Indexes whose keys spread over the whole file: the head's name, across every commune of a
# province. Each household a package brings dirties a page of its own in each of them: at
# 800,000 households keeping them up cost an office some 2.5 s per commune's package, building
# them again 3 s. So a large batch of packages drops them and builds them once at its end
# (``without_spread_indexes``); one cut short by a crash leaves them to the next start
# (``ensure_spread_indexes``, from ``connection.migrate_db``). The statements are those of the
# migrations that made the indexes (a test compares them); a migration that drops one of these
# indexes takes it out of here.
SPREAD_INDEXES = {
    "household_index_head": "CREATE INDEX household_index_head ON household_index(head_key)",
    "household_index_status":
        "CREATE INDEX household_index_status ON household_index(status, head_key, code)",
}


def _index_names(db: Database) -> set[str]:
    return {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'index'")}


def ensure_spread_indexes(db: Database) -> None:
    """Build the ``SPREAD_INDEXES`` that are missing (none, unless a batch was cut short)."""
    existing = _index_names(db)
    for name, sql in SPREAD_INDEXES.items():
        if name not in existing:
            db.execute(sql)


@contextmanager
def without_spread_indexes(db: Database) -> Iterator[None]:
    """Drop the ``SPREAD_INDEXES`` for the block, then build them again, whatever happens in
    it; inside another such block, do nothing (the outer one builds them). Each statement is
    its own transaction: outside the block's own transactions."""
    dropped = [name for name in SPREAD_INDEXES if name in _index_names(db)]
    for name in dropped:
        db.execute(f"DROP INDEX {name}")
    try:
        yield
    finally:
        for name in dropped:
            db.execute(SPREAD_INDEXES[name])


def ensure_write_guards(db: Database) -> None:
    """Triggers that make the write path the only way to change a syncable table.

    A row may be inserted or updated only when the change log already holds the change
    (same row id, version and clock), and rows are never deleted (tombstones instead).
    ``transform()`` in a later migration drops triggers, so this runs after every
    migration pass; it is idempotent.
    """
    existing = {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")}
    for name in SYNCABLE:
        if {f"{name}_guard_insert", f"{name}_guard_update", f"{name}_guard_delete"} <= existing:
            continue
        logged = ("EXISTS (SELECT 1 FROM change_log WHERE row_id = NEW.id "
                  "AND updated_at = NEW.updated_at AND version = NEW.version)")
        refuse = f"SELECT RAISE(ABORT, 'gnapp: {name} changed outside the write path'); END"
        db.execute(f"CREATE TRIGGER IF NOT EXISTS {name}_guard_insert BEFORE INSERT ON {name} "
                   f"WHEN NOT {logged} BEGIN {refuse}")
        # an update must also move the clock: the old stamp is logged already
        db.execute(f"CREATE TRIGGER IF NOT EXISTS {name}_guard_update BEFORE UPDATE ON {name} "
                   f"WHEN NEW.updated_at IS OLD.updated_at OR NOT {logged} BEGIN {refuse}")
        db.execute(
            f"CREATE TRIGGER IF NOT EXISTS {name}_guard_delete BEFORE DELETE ON {name} BEGIN "
            f"SELECT RAISE(ABORT, 'gnapp: rows of {name} are never deleted, only marked'); END")


@migrations()
def m001_core(db: Database) -> None:
    """Sites, users, settings, change and audit logs, locks, administrative units."""
    db.execute("""
        CREATE TABLE site (
            id TEXT PRIMARY KEY NOT NULL,
            unit_code TEXT NOT NULL,
            role TEXT NOT NULL CHECK (role IN ('commune', 'office')),
            display_name TEXT NOT NULL,
            sign_public TEXT NOT NULL,
            sign_private TEXT,
            enc_public TEXT NOT NULL,
            enc_private TEXT,
            replaces TEXT REFERENCES site(id),
            is_local INTEGER NOT NULL DEFAULT 0 CHECK (is_local IN (0, 1)),
            clock TEXT,
            created_at TEXT NOT NULL,
            retired_at TEXT
        )""")
    # At most one site is this installation.
    db.execute("CREATE UNIQUE INDEX site_one_local ON site(is_local) WHERE is_local = 1")
    db.execute("""
        CREATE TABLE app_user (
            name TEXT PRIMARY KEY NOT NULL,
            full_name TEXT NOT NULL,
            role TEXT NOT NULL,
            password_hash TEXT,
            active INTEGER NOT NULL DEFAULT 1,
            created_at TEXT NOT NULL
        )""")
    db.execute("CREATE TABLE setting (key TEXT PRIMARY KEY NOT NULL, value TEXT)")
    db.execute("""
        CREATE TABLE change_log (
            seq INTEGER PRIMARY KEY AUTOINCREMENT,
            table_name TEXT NOT NULL,
            row_id TEXT NOT NULL,
            version INTEGER NOT NULL,
            base_version INTEGER NOT NULL,
            updated_at TEXT NOT NULL,
            origin TEXT NOT NULL,
            UNIQUE (row_id, updated_at)
        )""")
    db.execute("CREATE INDEX change_log_origin ON change_log(origin, seq)")
    db.execute("""
        CREATE TABLE audit_log (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            at TEXT NOT NULL,
            user TEXT NOT NULL,
            site_id TEXT NOT NULL,
            table_name TEXT NOT NULL,
            row_id TEXT NOT NULL,
            field TEXT NOT NULL,
            old TEXT,
            new TEXT,
            reason TEXT
        )""")
    db.execute("CREATE INDEX audit_log_row ON audit_log(table_name, row_id)")
    for log in ("change_log", "audit_log"):
        for event in ("UPDATE", "DELETE"):
            db.execute(f"CREATE TRIGGER {log}_append_only_{event.lower()} BEFORE {event} ON {log} "
                       f"BEGIN SELECT RAISE(ABORT, 'gnapp: {log} is append-only'); END")
    db.execute("""
        CREATE TABLE row_lock (
            table_name TEXT NOT NULL,
            row_id TEXT NOT NULL,
            reason TEXT NOT NULL,
            locked_at TEXT NOT NULL,
            PRIMARY KEY (table_name, row_id)
        )""")
    create_synced_table(db, "admin_unit", """
        code TEXT NOT NULL,
        name TEXT NOT NULL,
        type TEXT NOT NULL,
        level TEXT NOT NULL CHECK (level IN ('province', 'district', 'commune', 'village')),
        parent_id TEXT REFERENCES admin_unit(id) DEFERRABLE INITIALLY DEFERRED,
        valid_from TEXT NOT NULL,
        valid_to TEXT,
        replaced_by TEXT REFERENCES admin_unit(id) DEFERRABLE INITIALLY DEFERRED,
        legacy INTEGER NOT NULL DEFAULT 0 CHECK (legacy IN (0, 1)),
        source TEXT NOT NULL,
        name_key TEXT NOT NULL,
        name_fold TEXT GENERATED ALWAYS AS (replace(replace(name, 'đ', 'd'), 'Đ', 'D')) STORED,
        UNIQUE (code, valid_from)""")
    db.execute("CREATE INDEX admin_unit_code ON admin_unit(code)")
    db.execute("CREATE INDEX admin_unit_parent ON admin_unit(parent_id, name)")
    db.execute("CREATE INDEX admin_unit_name_key ON admin_unit(name_key)")
    db["admin_unit"].enable_fts(["name_fold"], create_triggers=True, tokenize=FTS_TOKENIZE)


@migrations()
def m002_register(db: Database) -> None:
    """The household register: households, members, recorded events, and a local index."""
    create_synced_table(db, "household", """
        code TEXT NOT NULL,
        village_id TEXT NOT NULL REFERENCES admin_unit(id) DEFERRABLE INITIALLY DEFERRED,
        address TEXT,
        area TEXT NOT NULL CHECK (area IN ('rural', 'urban')),
        ethnic_minority INTEGER NOT NULL DEFAULT 0,
        revolution_merit INTEGER NOT NULL DEFAULT 0,
        no_labour INTEGER NOT NULL DEFAULT 0,
        social_protection INTEGER NOT NULL DEFAULT 0,
        single_no_support INTEGER NOT NULL DEFAULT 0,
        farm_household INTEGER NOT NULL DEFAULT 0,
        status TEXT NOT NULL DEFAULT 'active'
            CHECK (status IN ('active', 'moved_out', 'merged', 'dissolved')),
        former_unit_code TEXT,
        former_code TEXT,
        note TEXT""")
    db.execute("CREATE UNIQUE INDEX household_code ON household(owner_unit, code) "
               "WHERE deleted = 0")
    db.execute("CREATE INDEX household_village ON household(village_id)")
    create_synced_table(db, "member", """
        household_id TEXT NOT NULL REFERENCES household(id) DEFERRABLE INITIALLY DEFERRED,
        position INTEGER NOT NULL,
        full_name TEXT NOT NULL,
        sex TEXT CHECK (sex IN ('nam', 'nu')),
        birth_date TEXT,
        ethnicity TEXT,
        relation TEXT NOT NULL,
        id_number TEXT,
        health_insurance INTEGER,
        schooling TEXT,
        employment TEXT,
        disability INTEGER NOT NULL DEFAULT 0,
        social_allowance INTEGER NOT NULL DEFAULT 0,
        status TEXT NOT NULL DEFAULT 'present'
            CHECK (status IN ('present', 'moved_out', 'deceased')),
        left_on TEXT,
        name_key TEXT NOT NULL""")
    db.execute("CREATE INDEX member_household ON member(household_id, position)")
    db.execute("CREATE INDEX member_id_number ON member(id_number) WHERE id_number IS NOT NULL")
    create_synced_table(db, "household_event", """
        household_id TEXT NOT NULL REFERENCES household(id) DEFERRABLE INITIALLY DEFERRED,
        kind TEXT NOT NULL,
        on_date TEXT NOT NULL,
        member_id TEXT REFERENCES member(id) DEFERRABLE INITIALLY DEFERRED,
        other_household_id TEXT REFERENCES household(id) DEFERRABLE INITIALLY DEFERRED,
        note TEXT""")
    db.execute("CREATE INDEX household_event_household ON household_event(household_id, on_date)")
    # Local, derived, never travels: one line per household for the list and its search.
    db.execute("""
        CREATE TABLE household_index (
            household_id TEXT PRIMARY KEY NOT NULL,
            code TEXT NOT NULL,
            village_id TEXT NOT NULL,
            status TEXT NOT NULL,
            head_name TEXT,
            head_key TEXT,
            members INTEGER NOT NULL,
            search TEXT NOT NULL
        )""")
    db.execute("CREATE INDEX household_index_village ON household_index(village_id, head_key)")
    db.execute("CREATE INDEX household_index_head ON household_index(head_key)")
    db.execute("CREATE INDEX household_index_code ON household_index(code)")
    db["household_index"].enable_fts(["search"], create_triggers=True, tokenize=FTS_TOKENIZE)


@migrations()
def m003_review(db: Database) -> None:
    """Review rounds and one review per household and round (Phiếu A, B and C)."""
    create_synced_table(db, "review_round", """
        year INTEGER NOT NULL,
        kind TEXT NOT NULL CHECK (kind IN ('periodic', 'regular', 'general')),
        month INTEGER,
        standard_id TEXT NOT NULL,
        starts_on TEXT NOT NULL,
        ends_on TEXT NOT NULL,
        status TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'closed'))""")
    db.execute("CREATE UNIQUE INDEX review_round_key ON review_round(owner_unit, kind, year, "
               "coalesce(month, 0)) WHERE deleted = 0")
    create_synced_table(db, "household_review", """
        round_id TEXT NOT NULL REFERENCES review_round(id) DEFERRABLE INITIALLY DEFERRED,
        household_id TEXT NOT NULL REFERENCES household(id) DEFERRABLE INITIALLY DEFERRED,
        review_date TEXT,
        reviewer TEXT,
        screen_result TEXT CHECK (screen_result IN ('stop', 'continue')),
        area TEXT NOT NULL,
        is_farm INTEGER NOT NULL DEFAULT 0,
        income_per_person INTEGER,
        farm_income_per_person INTEGER,
        b1_score TEXT,
        deprivations TEXT NOT NULL DEFAULT '{}',
        deprivation_count INTEGER,
        b2 INTEGER,
        standard_id TEXT NOT NULL,
        provisional INTEGER NOT NULL DEFAULT 0,
        computed_class TEXT,
        class TEXT,
        override_reason TEXT,
        causes TEXT NOT NULL DEFAULT '[]',
        needs TEXT NOT NULL DEFAULT '[]',
        persons INTEGER NOT NULL,
        status TEXT NOT NULL DEFAULT 'draft' CHECK (status IN ('draft', 'complete'))""")
    db.execute("CREATE UNIQUE INDEX household_review_key ON household_review(round_id, "
               "household_id) WHERE deleted = 0")
    db.execute("CREATE INDEX household_review_household ON household_review(household_id)")


@migrations()
def m004_procedure(db: Database) -> None:
    """Households' requests and the steps of the review procedure per village."""
    create_synced_table(db, "household_request", """
        household_id TEXT REFERENCES household(id) DEFERRABLE INITIALLY DEFERRED,
        applicant TEXT NOT NULL,
        kind TEXT NOT NULL,
        received_on TEXT NOT NULL,
        due_on TEXT NOT NULL,
        round_id TEXT REFERENCES review_round(id) DEFERRABLE INITIALLY DEFERRED,
        answered_on TEXT,
        answer TEXT""")
    db.execute("CREATE INDEX household_request_due ON household_request(answered_on, due_on)")
    create_synced_table(db, "procedure_step", """
        round_id TEXT NOT NULL REFERENCES review_round(id) DEFERRABLE INITIALLY DEFERRED,
        village_id TEXT REFERENCES admin_unit(id) DEFERRABLE INITIALLY DEFERRED,
        kind TEXT NOT NULL,
        on_date TEXT NOT NULL,
        end_date TEXT,
        attendees INTEGER,
        agreed INTEGER,
        household_id TEXT REFERENCES household(id) DEFERRABLE INITIALLY DEFERRED,
        number TEXT,
        signer TEXT,
        content TEXT,
        result TEXT""")
    db.execute("CREATE INDEX procedure_step_round ON procedure_step(round_id, village_id, kind)")


@migrations()
def m005_duplicates(db: Database) -> None:
    """A person's decision on a pair of members that may be the same person."""
    create_synced_table(db, "duplicate_decision", """
        member_a TEXT NOT NULL REFERENCES member(id) DEFERRABLE INITIALLY DEFERRED,
        member_b TEXT NOT NULL REFERENCES member(id) DEFERRABLE INITIALLY DEFERRED,
        decision TEXT NOT NULL CHECK (decision IN ('different', 'same')),
        note TEXT,
        CHECK (member_a < member_b)""")
    db.execute("CREATE UNIQUE INDEX duplicate_decision_pair ON duplicate_decision(member_a, "
               "member_b) WHERE deleted = 0")


@migrations()
def m006_sync(db: Database) -> None:
    """Sync packages: the ledger of packages sent and received, conflicts, trusted peers."""
    db.execute("""
        CREATE TABLE package_ledger (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            direction TEXT NOT NULL CHECK (direction IN ('out', 'in')),
            package_id TEXT NOT NULL,
            kind TEXT NOT NULL,
            from_site TEXT NOT NULL,
            from_unit TEXT NOT NULL,
            to_unit TEXT NOT NULL,
            package_no INTEGER NOT NULL CHECK (package_no >= 1),
            previous_hash TEXT NOT NULL,
            manifest_sha256 TEXT NOT NULL,
            state TEXT NOT NULL,
            reason TEXT,
            created_at TEXT NOT NULL,
            recorded_at TEXT NOT NULL,
            applied_at TEXT,
            last_seq INTEGER,
            counts TEXT,
            report TEXT,
            content BLOB
        )""")
    # One package per number in a stream; a second, different one is a fork (kept apart).
    db.execute("CREATE UNIQUE INDEX package_ledger_stream ON package_ledger(direction, from_site, "
               "to_unit, package_no) WHERE state NOT IN ('fork', 'refused')")
    db.execute("CREATE INDEX package_ledger_package ON package_ledger(package_id)")
    db.execute("""
        CREATE TABLE conflict (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            table_name TEXT NOT NULL,
            row_id TEXT NOT NULL,
            owner_unit TEXT NOT NULL,
            base_version INTEGER NOT NULL,
            local_version INTEGER NOT NULL,
            remote_version INTEGER NOT NULL,
            local_row TEXT NOT NULL,
            remote_row TEXT NOT NULL,
            fields TEXT NOT NULL,
            package_id TEXT NOT NULL,
            from_site TEXT NOT NULL,
            remote_updated_at TEXT NOT NULL,
            state TEXT NOT NULL DEFAULT 'open' CHECK (state IN ('open', 'resolved')),
            created_at TEXT NOT NULL,
            resolved_at TEXT,
            resolved_by TEXT,
            decision TEXT,
            UNIQUE (row_id, remote_updated_at)
        )""")
    db.execute("CREATE INDEX conflict_open ON conflict(state, owner_unit)")
    # When a person confirmed a peer site's key (trust on first use); NULL = not yet.
    db.execute("ALTER TABLE site ADD COLUMN trusted_at TEXT")


@migrations()
def m007_programme(db: Database) -> None:
    """Programme structures loaded by an office, allocation decisions and their lines, and
    the totals a decision or plan states (kept beside the computed sums)."""
    # One row per programme version (kind 'programme', code = version id) and per item.
    create_synced_table(db, "programme_item", """
        programme TEXT NOT NULL,
        code TEXT NOT NULL,
        parent_code TEXT,
        kind TEXT NOT NULL
            CHECK (kind IN ('programme', 'project', 'subproject', 'line', 'activity')),
        name TEXT NOT NULL,
        short_name TEXT,
        variants TEXT NOT NULL DEFAULT '[]',
        budget_line INTEGER NOT NULL DEFAULT 0 CHECK (budget_line IN (0, 1)),
        applies_to TEXT NOT NULL DEFAULT 'all',
        replaces TEXT NOT NULL DEFAULT '[]',
        position INTEGER NOT NULL DEFAULT 0,
        period_from INTEGER,
        period_to INTEGER,
        status TEXT,
        legal_basis TEXT,
        note TEXT""")
    db.execute("CREATE UNIQUE INDEX programme_item_code ON programme_item(owner_unit, "
               "programme, code) WHERE deleted = 0")
    create_synced_table(db, "allocation_decision", """
        kind TEXT NOT NULL DEFAULT 'decision' CHECK (kind IN ('decision', 'plan')),
        issuer TEXT NOT NULL,
        signer TEXT,
        number TEXT,
        signed_on TEXT,
        year INTEGER NOT NULL,
        batch INTEGER,
        legal_basis TEXT,
        title TEXT,
        programme TEXT NOT NULL,
        recipient_unit TEXT,
        recipient_name TEXT,
        annex TEXT,
        note TEXT""")
    db.execute("CREATE INDEX allocation_decision_year ON allocation_decision(year, signed_on)")
    create_synced_table(db, "allocation_line", """
        decision_id TEXT NOT NULL
            REFERENCES allocation_decision(id) DEFERRABLE INITIALLY DEFERRED,
        kind TEXT NOT NULL DEFAULT 'allocation' CHECK (kind IN ('allocation', 'carry_over')),
        line_code TEXT NOT NULL,
        source TEXT NOT NULL,
        capital_type TEXT NOT NULL CHECK (capital_type IN ('DTPT', 'SN')),
        recipient_unit TEXT,
        recipient_name TEXT NOT NULL,
        purpose TEXT,
        amount INTEGER NOT NULL CHECK (amount >= 0),
        position INTEGER NOT NULL DEFAULT 0,
        note TEXT""")
    db.execute("CREATE INDEX allocation_line_decision ON allocation_line(decision_id, "
               "position)")
    db.execute("CREATE INDEX allocation_line_code ON allocation_line(line_code, source)")
    create_synced_table(db, "stated_total", """
        decision_id TEXT NOT NULL
            REFERENCES allocation_decision(id) DEFERRABLE INITIALLY DEFERRED,
        line_kind TEXT NOT NULL DEFAULT 'allocation'
            CHECK (line_kind IN ('allocation', 'carry_over')),
        line_code TEXT,
        source TEXT,
        capital_type TEXT CHECK (capital_type IS NULL OR capital_type IN ('DTPT', 'SN')),
        amount INTEGER NOT NULL CHECK (amount >= 0),
        quote TEXT""")
    db.execute("CREATE UNIQUE INDEX stated_total_scope ON stated_total(decision_id, line_kind, "
               "coalesce(line_code, ''), coalesce(source, ''), coalesce(capital_type, '')) "
               "WHERE deleted = 0")


@migrations()
def m008_projects(db: Database) -> None:
    """Livelihood projects and their participants and inputs; payments against allocation
    lines, their settlement, and the detailed estimates with their approval chain."""
    create_synced_table(db, "livelihood_project", """
        name TEXT NOT NULL,
        kind TEXT NOT NULL DEFAULT 'project' CHECK (kind IN ('project', 'model')),
        line_code TEXT NOT NULL,
        implementer TEXT,
        village_id TEXT REFERENCES admin_unit(id) DEFERRABLE INITIALLY DEFERRED,
        allocation_line_id TEXT REFERENCES allocation_line(id) DEFERRABLE INITIALLY DEFERRED,
        amount INTEGER NOT NULL DEFAULT 0 CHECK (amount >= 0),
        year INTEGER,
        starts_on TEXT,
        ends_on TEXT,
        management_group TEXT,
        supervision_group TEXT,
        groups_decision TEXT,
        status TEXT NOT NULL DEFAULT 'planning'
            CHECK (status IN ('planning', 'implementing', 'completed')),
        note TEXT""")
    create_synced_table(db, "project_participant", """
        project_id TEXT NOT NULL REFERENCES livelihood_project(id) DEFERRABLE INITIALLY DEFERRED,
        household_id TEXT NOT NULL REFERENCES household(id) DEFERRABLE INITIALLY DEFERRED,
        counterpart INTEGER NOT NULL DEFAULT 0 CHECK (counterpart >= 0),
        joined_on TEXT,
        note TEXT""")
    db.execute("CREATE UNIQUE INDEX project_participant_key ON project_participant(project_id, "
               "household_id) WHERE deleted = 0")
    db.execute("CREATE INDEX project_participant_household ON project_participant(household_id)")
    create_synced_table(db, "project_input", """
        project_id TEXT NOT NULL REFERENCES livelihood_project(id) DEFERRABLE INITIALLY DEFERRED,
        household_id TEXT REFERENCES household(id) DEFERRABLE INITIALLY DEFERRED,
        item TEXT NOT NULL,
        quantity TEXT NOT NULL,
        unit TEXT NOT NULL,
        delivered_on TEXT NOT NULL,
        note TEXT""")
    db.execute("CREATE INDEX project_input_project ON project_input(project_id, delivered_on)")
    create_synced_table(db, "detailed_estimate", """
        allocation_line_id TEXT NOT NULL
            REFERENCES allocation_line(id) DEFERRABLE INITIALLY DEFERRED,
        project_id TEXT REFERENCES livelihood_project(id) DEFERRABLE INITIALLY DEFERRED,
        activity TEXT NOT NULL,
        amount INTEGER NOT NULL CHECK (amount > 0),
        state TEXT NOT NULL DEFAULT 'prepared'
            CHECK (state IN ('prepared', 'appraised', 'approved', 'returned')),
        prepared_by TEXT,
        prepared_on TEXT,
        appraised_by TEXT,
        appraised_on TEXT,
        approved_by TEXT,
        approved_on TEXT,
        return_comment TEXT""")
    db.execute("CREATE INDEX detailed_estimate_line ON detailed_estimate(allocation_line_id)")
    create_synced_table(db, "disbursement", """
        allocation_line_id TEXT NOT NULL
            REFERENCES allocation_line(id) DEFERRABLE INITIALLY DEFERRED,
        estimate_id TEXT REFERENCES detailed_estimate(id) DEFERRABLE INITIALLY DEFERRED,
        project_id TEXT REFERENCES livelihood_project(id) DEFERRABLE INITIALLY DEFERRED,
        paid_on TEXT NOT NULL,
        amount INTEGER NOT NULL CHECK (amount != 0),
        document TEXT NOT NULL,
        content TEXT,
        reverses_id TEXT REFERENCES disbursement(id) DEFERRABLE INITIALLY DEFERRED""")
    db.execute("CREATE INDEX disbursement_line ON disbursement(allocation_line_id, paid_on)")
    db.execute("CREATE UNIQUE INDEX disbursement_reversal ON disbursement(reverses_id) "
               "WHERE reverses_id IS NOT NULL AND deleted = 0")
    create_synced_table(db, "settlement", """
        allocation_line_id TEXT NOT NULL
            REFERENCES allocation_line(id) DEFERRABLE INITIALLY DEFERRED,
        settled_on TEXT NOT NULL,
        amount INTEGER NOT NULL CHECK (amount >= 0),
        document TEXT NOT NULL,
        note TEXT""")
    db.execute("CREATE UNIQUE INDEX settlement_line ON settlement(allocation_line_id) "
               "WHERE deleted = 0")


@migrations()
def m009_documents(db: Database) -> None:
    """Issued documents: the commune's profile and signers, the number book, printed copies."""
    create_synced_table(db, "doc_profile", """
        issuer_parent TEXT,
        issuer_name TEXT NOT NULL,
        place TEXT,
        recipients TEXT NOT NULL DEFAULT '{}'""")
    db.execute("CREATE UNIQUE INDEX doc_profile_unit ON doc_profile(owner_unit) "
               "WHERE deleted = 0")
    create_synced_table(db, "doc_signer", """
        role TEXT NOT NULL,
        name TEXT NOT NULL,
        valid_from TEXT NOT NULL,
        valid_to TEXT""")
    create_synced_table(db, "doc_number", """
        symbol TEXT NOT NULL,
        year INTEGER NOT NULL,
        number INTEGER NOT NULL CHECK (number >= 1),
        issued_on TEXT NOT NULL,
        doc_key TEXT,
        subject TEXT NOT NULL""")
    # A number once taken stays taken, even when cancelled (its tombstone keeps it).
    db.execute("CREATE UNIQUE INDEX doc_number_once ON doc_number(owner_unit, symbol, year, "
               "number)")
    db.execute("CREATE INDEX doc_number_doc ON doc_number(doc_key)")
    create_synced_table(db, "printed_copy", """
        doc_key TEXT NOT NULL,
        form TEXT NOT NULL,
        title TEXT NOT NULL,
        number_id TEXT REFERENCES doc_number(id) DEFERRABLE INITIALLY DEFERRED,
        number_text TEXT,
        issued_on TEXT,
        fingerprint TEXT NOT NULL,
        copy_no INTEGER NOT NULL CHECK (copy_no >= 1),
        is_copy INTEGER NOT NULL DEFAULT 0 CHECK (is_copy IN (0, 1)),
        printed_at TEXT NOT NULL,
        printed_by TEXT NOT NULL,
        file_format TEXT NOT NULL,
        state TEXT NOT NULL DEFAULT 'printed'
            CHECK (state IN ('printed', 'signed', 'unlocked')),
        signed_at TEXT,
        signed_by TEXT,
        unlocked_at TEXT,
        unlock_reason TEXT,
        shown_rows TEXT NOT NULL DEFAULT '[]'""")
    db.execute("CREATE INDEX printed_copy_doc ON printed_copy(doc_key, printed_at)")


@migrations()
def m010_approvals(db: Database) -> None:
    """An office's approval or return of a commune's review round (or one village of it)."""
    create_synced_table(db, "approval", """
        unit_code TEXT NOT NULL,
        round_id TEXT NOT NULL REFERENCES review_round(id) DEFERRABLE INITIALLY DEFERRED,
        village_id TEXT REFERENCES admin_unit(id) DEFERRABLE INITIALLY DEFERRED,
        state TEXT NOT NULL CHECK (state IN ('approved', 'returned')),
        comment TEXT,
        fingerprint TEXT NOT NULL,
        row_count INTEGER NOT NULL,
        decided_on TEXT NOT NULL,
        decided_by TEXT NOT NULL""")
    db.execute("CREATE UNIQUE INDEX approval_scope ON approval(round_id, coalesce(village_id, '')) "
               "WHERE deleted = 0")


@migrations()
def m011_standards(db: Database) -> None:
    """Poverty standards an office loads or completes (a provisional one, a province overlay)
    and sends down; they take precedence over the files shipped with the program."""
    create_synced_table(db, "poverty_standard", """
        code TEXT NOT NULL,
        body TEXT NOT NULL,
        note TEXT""")
    db.execute("CREATE UNIQUE INDEX poverty_standard_code ON poverty_standard(owner_unit, code) "
               "WHERE deleted = 0")


@migrations()
def m012_index_errors(db: Database) -> None:
    """The local household index counts each household's errors (for the "Có lỗi" filter)."""
    from gnapp.db.households import refresh_indexes

    db.execute("ALTER TABLE household_index ADD COLUMN errors INTEGER NOT NULL DEFAULT 0")
    refresh_indexes(db, [r[0] for r in db.execute("SELECT household_id FROM household_index")])


@migrations()
def m013_progress(db: Database) -> None:
    """Progress reporting: report periods and their deadlines, indicator figures per period,
    poverty targets per unit and year, plan and report documents, and an office's approval
    or return of a commune's period."""
    create_synced_table(db, "report_period", """
        kind TEXT NOT NULL CHECK (kind IN ('half_year', 'nine_months', 'year', 'eval_start',
            'eval_mid', 'eval_end', 'ad_hoc')),
        year INTEGER NOT NULL,
        seq INTEGER NOT NULL DEFAULT 1 CHECK (seq >= 1),
        title TEXT,
        starts_on TEXT NOT NULL,
        ends_on TEXT NOT NULL,
        due_on TEXT,
        state TEXT NOT NULL DEFAULT 'open' CHECK (state IN ('open', 'complete')),
        completed_on TEXT,
        completed_by TEXT""")
    db.execute("CREATE UNIQUE INDEX report_period_key ON report_period(owner_unit, kind, year, "
               "seq) WHERE deleted = 0")
    # When a level's reports are due (a calendar an office sets for the units below it).
    create_synced_table(db, "report_deadline", """
        level TEXT NOT NULL CHECK (level IN ('commune', 'district', 'province')),
        kind TEXT NOT NULL,
        due_month INTEGER NOT NULL CHECK (due_month BETWEEN 1 AND 12),
        due_day INTEGER NOT NULL CHECK (due_day BETWEEN 1 AND 31),
        year_offset INTEGER NOT NULL DEFAULT 0 CHECK (year_offset IN (0, 1)),
        recipient TEXT,
        basis TEXT""")
    db.execute("CREATE UNIQUE INDEX report_deadline_key ON report_deadline(owner_unit, level, "
               "kind) WHERE deleted = 0")
    # Indicators an office adds to the shipped framework (one JSON body per indicator).
    create_synced_table(db, "indicator_def", """
        code TEXT NOT NULL,
        body TEXT NOT NULL""")
    db.execute("CREATE UNIQUE INDEX indicator_def_code ON indicator_def(owner_unit, code) "
               "WHERE deleted = 0")
    create_synced_table(db, "indicator_value", """
        period_id TEXT NOT NULL REFERENCES report_period(id) DEFERRABLE INITIALLY DEFERRED,
        indicator TEXT NOT NULL,
        target TEXT,
        estimate TEXT,
        actual TEXT,
        stated TEXT,
        source TEXT NOT NULL DEFAULT 'typed' CHECK (source IN ('typed', 'computed',
            'imported')),
        note TEXT""")
    db.execute("CREATE UNIQUE INDEX indicator_value_key ON indicator_value(period_id, indicator) "
               "WHERE deleted = 0")
    create_synced_table(db, "poverty_target", """
        plan TEXT NOT NULL,
        row_kind TEXT NOT NULL DEFAULT 'unit' CHECK (row_kind IN ('unit', 'stated_total')),
        unit_code TEXT,
        unit_name TEXT NOT NULL,
        row_no TEXT,
        position INTEGER NOT NULL DEFAULT 0,
        year INTEGER NOT NULL,
        households INTEGER CHECK (households IS NULL OR households >= 0),
        poor_households INTEGER CHECK (poor_households IS NULL OR poor_households >= 0),
        rate TEXT,
        rate_first INTEGER NOT NULL DEFAULT 0 CHECK (rate_first IN (0, 1)),
        note TEXT""")
    db.execute("CREATE UNIQUE INDEX poverty_target_key ON poverty_target(owner_unit, plan, "
               "row_kind, unit_name, year) WHERE deleted = 0")
    db.execute("CREATE INDEX poverty_target_unit ON poverty_target(unit_code, year)")
    create_synced_table(db, "plan_document", """
        kind TEXT NOT NULL CHECK (kind IN ('plan', 'report')),
        template TEXT,
        year INTEGER NOT NULL,
        period_id TEXT REFERENCES report_period(id) DEFERRABLE INITIALLY DEFERRED,
        symbol TEXT,
        subject TEXT NOT NULL,
        body TEXT NOT NULL DEFAULT '[]',
        recipients TEXT NOT NULL DEFAULT '[]',
        signer_role TEXT,
        state TEXT NOT NULL DEFAULT 'draft' CHECK (state IN ('draft', 'signed')),
        number TEXT,
        signed_on TEXT,
        signed_by TEXT,
        frozen TEXT""")
    create_synced_table(db, "period_decision", """
        unit_code TEXT NOT NULL,
        period_id TEXT NOT NULL REFERENCES report_period(id) DEFERRABLE INITIALLY DEFERRED,
        state TEXT NOT NULL CHECK (state IN ('approved', 'returned')),
        comment TEXT,
        fingerprint TEXT NOT NULL,
        row_count INTEGER NOT NULL,
        decided_on TEXT NOT NULL,
        decided_by TEXT NOT NULL""")
    db.execute("CREATE UNIQUE INDEX period_decision_scope ON period_decision(period_id) "
               "WHERE deleted = 0")


@migrations()
def m014_foreign_key_indexes(db: Database) -> None:
    """An index on each foreign-key column that had none. SQLite looks up the children of a
    parent row by that column while deferred keys are pending (a package import writes a
    child before its parent): without an index, each lookup reads the whole child table."""
    for table, column in (("household_event", "other_household_id"),
                          ("household_event", "member_id"),
                          ("household_request", "household_id"),
                          ("household_request", "round_id"),
                          ("procedure_step", "household_id"),
                          ("procedure_step", "village_id"),
                          ("duplicate_decision", "member_b"),
                          ("livelihood_project", "allocation_line_id"),
                          ("livelihood_project", "village_id"),
                          ("project_input", "household_id"),
                          ("detailed_estimate", "project_id"),
                          ("disbursement", "project_id"),
                          ("disbursement", "estimate_id"),
                          ("printed_copy", "number_id"),
                          ("approval", "village_id"),
                          ("plan_document", "period_id"),
                          ("admin_unit", "replaced_by")):
        db.execute(f"CREATE INDEX {table}_{column} ON {table}({column}) "
                   f"WHERE {column} IS NOT NULL")


@migrations()
def m015_household_round(db: Database) -> None:
    """Each household at the end of each review round (local, derived, never travels): what
    the review reports count, kept in step on every write (``gnapp.db.household_rounds``);
    and an index of the villages of each commune's households, where a report finds its rows."""
    from gnapp.db.household_rounds import refresh

    db.execute("""
        CREATE TABLE household_round (
            round_id TEXT NOT NULL,
            household_id TEXT NOT NULL,
            village_id TEXT NOT NULL,
            class TEXT,
            persons INTEGER NOT NULL,
            review TEXT,
            deprived TEXT NOT NULL,
            added_reason TEXT,
            removed_reason TEXT,
            last_poor INTEGER,
            last_near_poor INTEGER,
            PRIMARY KEY (round_id, household_id)
        ) WITHOUT ROWID""")
    # Báo cáo 1–5 and the note on unfinished reviews count a round's rows through this index
    db.execute("CREATE INDEX household_round_class ON household_round(round_id, class, "
               "village_id, persons, review)")
    db.execute("CREATE INDEX household_round_household ON household_round(household_id)")
    # the villages of a commune's households, where a report finds its rows
    db.execute("CREATE INDEX household_owner_village ON household(owner_unit, village_id) "
               "WHERE deleted = 0")
    refresh(db, [r[0] for r in db.execute("SELECT id FROM household WHERE deleted = 0")])


@migrations()
def m016_user_login(db: Database) -> None:
    """Login lockout and forced password change (``gnapp.db.users``); the users made before
    roles existed as ``officer`` keep that role, the first user stays ``admin``."""
    db.execute("ALTER TABLE app_user ADD COLUMN failed_logins INTEGER NOT NULL DEFAULT 0")
    db.execute("ALTER TABLE app_user ADD COLUMN locked_until TEXT")
    db.execute("ALTER TABLE app_user ADD COLUMN must_change INTEGER NOT NULL DEFAULT 0 "
               "CHECK (must_change IN (0, 1))")


@migrations()
def m017_search_prefixes(db: Database) -> None:
    """The household search index keeps the prefixes of 1–3 letters of every word: a search
    typed letter by letter then reads the first matches in index order and stops (a prefix
    without its own index makes FTS5 merge the lists of every word it starts)."""
    db.execute("DROP TABLE household_index_fts")
    db.execute(f"CREATE VIRTUAL TABLE household_index_fts USING fts5(search, "
               f"tokenize='{FTS_TOKENIZE}', content='household_index', prefix='1 2 3')")
    db.execute("INSERT INTO household_index_fts (household_index_fts) VALUES ('rebuild')")


@migrations()
def m018_household_status_index(db: Database) -> None:
    """The household list by status in the register's order: its first page and its count
    (800,000 households of a province office: the count read the whole index table, 0.5 s
    and several seconds from a cold disk; 0.06 s through this index); and the few
    households with errors (the "Có lỗi" filter walked all 800,000 lines: 2 to 3 s)."""
    db.execute("CREATE INDEX household_index_status ON household_index(status, head_key, code)")
    db.execute("CREATE INDEX household_index_errors ON household_index(head_key, code) "
               "WHERE errors > 0")


@migrations()
def m019_index_search_by_insert(db: Database) -> None:
    """The household index's search words of a new line are written by the code that adds
    the lines (``households.refresh_indexes``, one statement for a batch), not by a trigger
    per line: with the trigger, SQLite inserted each line three to four times slower (an
    office merging a commune of 8,000 households spent 0.5 s there). Updates and deletions
    keep their triggers."""
    db.execute("DROP TRIGGER IF EXISTS household_index_ai")


@migrations()
def m020_drop_unused_indexes(db: Database) -> None:
    """Two indexes no query reads: members by identity number (the search finds a number
    through the search index, the duplicate check reads a commune's members in full) and
    index lines by household code alone (the list orders by the head's name, then the code).
    Their keys fall all over a province's file, so an office merging a commune's package
    rewrote pages of both across the whole file (3 million numbers, 800,000 codes)."""
    db.execute("DROP INDEX IF EXISTS member_id_number")
    db.execute("DROP INDEX IF EXISTS household_index_code")
