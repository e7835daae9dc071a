import random
from django.http import QueryDict
from consultation import rendering, _rendering_head as head
from consultation.formbuilder import SectionFormBuilder, resolve_grid_rows

def test_same_html(questionnaire):
    rnd = random.Random(1)
    q = questionnaire
    for section in q.sections:
        rows = resolve_grid_rows(section, q.questions, {})
        fc = SectionFormBuilder(section, rows).get_form_class()
        forms = [fc(), ]
        data = QueryDict(mutable=True)
        for name, field in fc.base_fields.items():
            choices = getattr(field, "choices", None)
            if choices:
                codes = [c for c, _ in choices if c]
                if rnd.random() < 0.5:
                    data.setlist(name, rnd.sample(codes, min(len(codes), rnd.randint(1, 2))))
            elif rnd.random() < 0.3:
                data[name] = rnd.choice(["12", "abc", "<b>&\"x'", "2020", "on"])
        forms.append(fc(data))
        for form in forms:
            for read_only in (False, True):
                a = rendering.SectionRenderer(form, read_only=read_only).render()
                b = head.SectionRenderer(form, read_only=read_only).render().replace("-h-row\"", "-h-_item\"")
                assert a == b, section.code
        print(section.code, len(forms[1].errors))
