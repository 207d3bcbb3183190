"""Unit names sort the way a Vietnamese reader expects."""

from chiso.units.collation import vietnamese_key


def test_d_with_stroke_comes_after_d_and_before_e():
    names = ["Phường Tân Dân", "Phường Đông Sơn", "Phường Bỉm Sơn", "Phường Điện Biên"]
    assert sorted(names, key=vietnamese_key) == [
        "Phường Bỉm Sơn",
        "Phường Điện Biên",
        "Phường Đông Sơn",
        "Phường Tân Dân",
    ]


def test_letters_with_marks_follow_their_base_letter():
    assert sorted(["ơ", "ô", "o", "p"], key=vietnamese_key) == ["o", "ô", "ơ", "p"]
    assert sorted(["ư", "v", "u"], key=vietnamese_key) == ["u", "ư", "v"]
    assert sorted(["â", "b", "ă", "a"], key=vietnamese_key) == ["a", "ă", "â", "b"]


def test_tones_only_decide_between_otherwise_equal_words():
    # "Hà" before "Hoằng" (a before o), whatever their tones.
    assert sorted(["Xã Hoằng Lộc", "Xã Hà Trung"], key=vietnamese_key) == [
        "Xã Hà Trung",
        "Xã Hoằng Lộc",
    ]
    assert sorted(["má", "mạ", "ma", "mà", "mả", "mã"], key=vietnamese_key) == [
        "ma",
        "mà",
        "mả",
        "mã",
        "má",
        "mạ",
    ]


def test_case_does_not_change_the_order():
    assert sorted(["bình", "An", "ân"], key=vietnamese_key) == ["An", "ân", "bình"]
