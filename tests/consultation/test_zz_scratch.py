import pytest
from consultation import conditions
from consultation.formbuilder import *
from consultation.definition import *

def test_scratch(questionnaire):
    try:
        conditions.check_condition({"any_row": "C1", "column": "exists", "eq": "yes"})
        print("any_row ok")
    except Exception as e:
        print("any_row:", e)
    q = questionnaire
    for code in "ABCD":
        s = q.section(code)
        rows = resolve_grid_rows(s, q.questions, {})
        fc = SectionFormBuilder(s, rows).get_form_class()
        print(code, len(fc.base_fields))
    s = q.section("A")
    rows = resolve_grid_rows(s, q.questions, {})
    fc = SectionFormBuilder(s, rows).get_form_class()
    data = {"A9": "permanent", "A10.nso.chair": "on", "A10.interior.chair": "on"}
    f = fc(data, enforce_required=False)
    try:
        print(f.is_valid(), f.errors)
    except Exception as e:
        print("max_ticked:", repr(e))
    s = q.section("D")
    rows = resolve_grid_rows(s, q.questions, {})
    fc = SectionFormBuilder(s, rows).get_form_class()
    f = fc({"D12.rank1": "a_visas" , "D12.rank2": "f_visas", "D12.rank3": "f_visas"}, enforce_required=False)
    try:
        print(f.is_valid(), f.errors)
    except Exception as e:
        print("ranking:", repr(e))
    s = q.section("C")
    rows = resolve_grid_rows(s, q.questions, {})
    fc = SectionFormBuilder(s, rows).get_form_class()
    f = fc({"C1.S01.exists": "yes", "C2.census.latest": "2020", "C2.census.next.status": "not_available"}, enforce_required=False)
    print(f.is_valid(), f.errors, f.non_field_errors())
