"""Users, roles and login: permissions are enforced below the GUI, in the functions that act."""

from datetime import date, datetime, timedelta, timezone

import pytest

from gnapp.db import connection, documents, procedure, reviews, sites, users
from gnapp.sync import approvals, importer

COMMUNE = "07339"
PROVINCE = "24"


@pytest.fixture
def people(site_db):
    """The commune's first user (canbo, admin) adds an officer and a leader."""
    users.add(site_db, "canbo", "lan", "Phạm Thị Lan", role=users.OFFICER, password="matkhau-lan")
    users.add(site_db, "canbo", "hung", "Trần Văn Hùng", role=users.LEADER,
              password="matkhau-hung")
    return site_db


def _signable_copy(db, user):
    """A printed copy of a document, recorded by ``user``."""
    w = sites.writer(db, user)
    return documents.record_copy(w, doc_key="test:1", form="danh-sach", title="Danh sách",
                                 fingerprint="abc123", shown_rows=[], file_format="pdf")


def test_roles_grant_their_permissions():
    assert users.GRANTS[users.OFFICER] == {"enter"}
    assert {"approve", "sign", "unlock"} <= users.GRANTS[users.LEADER]
    assert {"merge", "approve", "return"} <= users.GRANTS[users.SUPERVISOR]
    assert "sign" not in users.GRANTS[users.SUPERVISOR]
    assert users.GRANTS[users.ADMIN] == set(users.PERMISSIONS)


def test_an_officer_may_not_sign_or_unlock_and_a_leader_may(people):
    copy = _signable_copy(people, "lan")
    with pytest.raises(users.PermissionDenied, match=r"«lan» \(cán bộ xã\) không có quyền "
                                                     r"đánh dấu văn bản đã ký.*lãnh đạo xã"):
        documents.mark_signed(sites.writer(people, "lan"), copy["id"])
    assert documents.get_copy(people, copy["id"])["state"] != "signed"
    signed = documents.mark_signed(sites.writer(people, "hung"), copy["id"])
    assert signed["signed_by"] == "hung"
    with pytest.raises(users.PermissionDenied, match="mở khóa"):
        documents.unlock(sites.writer(people, "lan"), copy["id"], reason="Sửa sai")
    assert documents.unlock(sites.writer(people, "hung"), copy["id"],
                            reason="Sửa sai")["state"] == "unlocked"


def test_unknown_and_inactive_users_are_refused(people):
    copy = _signable_copy(people, "hung")
    with pytest.raises(users.PermissionDenied, match="«ai-do» không có trong danh sách"):
        documents.mark_signed(sites.writer(people, "ai-do"), copy["id"])
    users.set_active(people, "canbo", "hung", False)
    with pytest.raises(users.PermissionDenied, match="«hung» không có trong danh sách"):
        documents.mark_signed(sites.writer(people, "hung"), copy["id"])


def test_the_recognition_decision_needs_a_user_who_approves(people):
    round_ = reviews.create_round(sites.writer(people, "lan"), year=2025, kind="periodic")
    with pytest.raises(users.PermissionDenied, match="phê duyệt"):
        procedure.record_decision(sites.writer(people, "lan"), round_["id"], number="12/QĐ-UBND",
                                  signed_on=date(2025, 12, 20), signer="Nguyễn Văn Chủ")
    step = procedure.record_decision(sites.writer(people, "hung"), round_["id"],
                                     number="12/QĐ-UBND", signed_on=date(2025, 12, 20),
                                     signer="Nguyễn Văn Chủ")
    assert step["number"] == "12/QĐ-UBND"


@pytest.fixture
def office(tmp_path):
    db = connection.connect(tmp_path / "office.sqlite")
    sites.init_site(db, PROVINCE, "office", user="sonv", user_full_name="Trần Văn Sơn")
    users.add(db, "sonv", "thu", "Lê Thị Thu", role=users.OFFICER, password="matkhau-thu")
    users.add(db, "sonv", "tinh", "Hà Văn Tỉnh", role=users.SUPERVISOR,
              password="matkhau-tinh")
    yield db
    db.close()


def test_merging_and_approving_at_an_office_need_their_permissions(office):
    with pytest.raises(users.PermissionDenied, match="nhập gói đồng bộ"):
        importer.import_files(office, [], user="thu")
    assert importer.import_files(office, [], user="tinh") == []
    assert importer.import_files(office, [], dry_run=True, user="thu") == []
    with pytest.raises(users.PermissionDenied, match="trả lại"):
        approvals.decide(office, commune=COMMUNE, year=2025, state="returned",
                         comment="Sửa thôn 3", user="thu")
    with pytest.raises(users.PermissionDenied, match="phê duyệt"):
        approvals.decide(office, commune=COMMUNE, year=2025, state="approved", user="thu")


def test_passwords_are_scrypt_hashes_and_never_stored_plain(people):
    stored = people.execute("SELECT password_hash FROM app_user WHERE name = 'lan'").fetchone()[0]
    assert stored.startswith("scrypt$") and "matkhau" not in stored
    assert all("password_hash" not in u for u in users.all_users(people))
    with pytest.raises(users.InputError, match="ít nhất 6 ký tự"):
        users.add(people, "canbo", "ngan", "Ngô Ngân", role=users.OFFICER, password="123")


def test_login_locks_the_account_after_repeated_failures(people):
    for left in (4, 3, 2, 1):
        with pytest.raises(users.LoginError, match=f"Còn {left} lần thử"):
            users.login(people, "lan", "sai-mat-khau")
    with pytest.raises(users.LoginError, match="bị khóa 15 phút"):
        users.login(people, "lan", "sai-mat-khau")
    # even the right password is refused while locked
    with pytest.raises(users.LoginError, match="đang bị khóa đến"):
        users.login(people, "lan", "matkhau-lan")
    assert users.session_user() is None
    audit = people.execute("SELECT user, field, reason FROM audit_log WHERE table_name = "
                           "'app_user' AND row_id = 'lan' AND field = 'locked_until'").fetchall()
    assert audit == [("lan", "locked_until", "Nhập sai mật khẩu 5 lần liên tiếp")]
    # an administrator unlocks at once (audited)
    users.unlock(people, "canbo", "lan")
    assert users.login(people, "lan", "matkhau-lan")["name"] == "lan"
    assert users.session_user() == "lan"


def test_a_lock_ends_by_itself(people):
    past = (datetime.now(timezone.utc) - timedelta(minutes=1)).isoformat(timespec="seconds")
    people.execute("UPDATE app_user SET locked_until = ? WHERE name = 'lan'", [past])
    assert users.login(people, "lan", "matkhau-lan")["locked_until"] is None


def test_a_right_password_resets_the_failure_count(people):
    for _ in range(4):
        with pytest.raises(users.LoginError):
            users.login(people, "lan", "sai")
    users.login(people, "lan", "matkhau-lan")
    with pytest.raises(users.LoginError, match="Còn 4 lần thử"):
        users.login(people, "lan", "sai")


def test_with_login_required_only_the_logged_in_user_acts(people):
    users.reset_password(people, "canbo", "canbo", password="quantri-123")
    users.set_login_required(people, "canbo", True)
    users.logout()
    with pytest.raises(users.LoginRequired, match="yêu cầu đăng nhập"):
        sites.writer(people)
    unsigned = _signable_copy(people, "hung")
    with pytest.raises(users.LoginRequired):     # naming a user is not logging in
        documents.mark_signed(sites.writer(people, "hung"), unsigned["id"])
    users.login(people, "hung", "matkhau-hung")
    assert sites.writer(people).actor.user == "hung"
    assert documents.mark_signed(sites.writer(people), unsigned["id"])["signed_by"] == "hung"
    with pytest.raises(users.LoginRequired):     # another user than the logged-in one
        users.require(people, "canbo", "users")


def test_login_cannot_be_required_without_an_admin_password(people):
    with pytest.raises(users.InputError, match="quản trị có mật khẩu"):
        users.set_login_required(people, "canbo", True)
    with pytest.raises(users.PermissionDenied, match="thay đổi cài đặt"):
        users.set_login_required(people, "lan", False)


def test_the_last_admin_stays(people):
    with pytest.raises(users.InputError, match="ít nhất một quản trị"):
        users.set_role(people, "canbo", "canbo", users.OFFICER)
    with pytest.raises(users.InputError, match="chính mình"):
        users.set_active(people, "canbo", "canbo", False)
    with pytest.raises(users.PermissionDenied, match="quản lý người dùng"):
        users.set_role(people, "hung", "lan", users.LEADER)


def test_a_lost_admin_password_is_recovered_on_the_pc(people):
    users.reset_password(people, "canbo", "canbo", password="quantri-123")
    users.set_login_required(people, "canbo", True)
    users.logout()
    new = users.reset_password(people, None, "canbo", recovery=True)
    assert len(new) >= 6
    user = users.login(people, "canbo", new)
    assert user["must_change"] == 1
    users.change_password(people, "canbo", new, "mat-khau-moi")
    assert users.get(people, "canbo")["must_change"] == 0
    reasons = [r[0] for r in people.execute(
        "SELECT reason FROM audit_log WHERE table_name = 'app_user' AND row_id = 'canbo' "
        "AND field = 'password' ORDER BY id")]
    assert reasons == ["Quản trị đặt lại mật khẩu", "Khôi phục mật khẩu bằng lệnh trên máy",
                       "Đổi mật khẩu"]


def test_every_audit_row_of_a_user_change_names_the_user(people):
    users.set_role(people, "canbo", "lan", users.LEADER)
    rows = people.execute("SELECT user, field, old, new FROM audit_log WHERE table_name = "
                          "'app_user' ORDER BY id").fetchall()
    assert rows[-1] == ("canbo", "role", "officer", "leader")
    assert all(r[0] for r in rows)
