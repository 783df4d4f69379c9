"""The sheet of bodies: 单位名称, 简称, 单位代码, 上级单位 (by its name or its 单位代码).

Rows are imported parents first, whatever their order in the sheet, so that a county may come
before its city. A row whose 上级单位 is neither in the database nor in the sheet, a name given
twice, and bodies that would stand above themselves are refused, each with its reason, and
nothing is written by an import that has any (django-import-export runs it in one transaction,
rolled back on errors). Re-importing the same sheet changes nothing; nothing is ever deleted.
"""

from collections import Counter

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from import_export import fields, widgets

from reports.models import Organization
from reports.onboarding.sheets import BodyByName, SheetResource, in_batches

NAME, SHORT_NAME, CODE, PARENT = (gettext_lazy("单位名称"), gettext_lazy("简称"), gettext_lazy("单位代码"),
                                  gettext_lazy("上级单位"))


# The model's own message for the constraint, which the sheet checks without a query a row.
CODE_TAKEN = next(constraint.violation_error_message for constraint in Organization._meta.constraints
                  if constraint.name == "organization_code_unique")


class BodyResource(SheetResource):
    name = fields.Field(attribute="name", column_name=str(NAME), widget=widgets.CharWidget())
    short_name = fields.Field(attribute="short_name", column_name=str(SHORT_NAME), widget=widgets.CharWidget())
    code = fields.Field(attribute="code", column_name=str(CODE), widget=widgets.CharWidget())
    parent = fields.Field(attribute="parent", column_name=str(PARENT),
                          widget=BodyByName(unknown=gettext_lazy("上级单位“%(name)s”不存在，也不在表中。")))

    class Meta:
        model = Organization
        fields = ("name", "short_name", "code", "parent")
        import_id_fields = ("name",)
        skip_unchanged = True
        report_skipped = True
        store_row_values = True  # a refused row's cells, for its preview
        skip_html_diff = True  # the changed columns are what the preview shows (sheets.SheetResource)
        clean_model_instances = True
        verbose_name = gettext_lazy("单位")

    def before_import(self, dataset, **kwargs):
        """Parents first; names given twice and cycles found, to be refused row by row."""
        super().before_import(dataset, **kwargs)
        headers = dataset.headers or []
        if str(NAME) not in headers:
            raise ValidationError(_("表中没有“%(column)s”一列。") % {"column": NAME})
        rows = [dict(zip(headers, row, strict=False)) for row in dataset]
        names = [str(row.get(str(NAME)) or "").strip() for row in rows]
        self.repeated = {name for name, times in Counter(names).items() if name and times > 1}
        codes = [str(row.get(str(CODE)) or "").strip() for row in rows]
        self.repeated_codes = {code for code, times in Counter(codes).items() if code and times > 1}
        # A 上级单位 given by its code stands by its name from here on: the order below, and the
        # widget, follow names. A code of the sheet first, then one already in the database.
        by_code = {code: name for code, name in zip(codes, names, strict=True) if code}
        refs = {str(row.get(str(PARENT)) or "").strip() for row in rows} - set(names) - {""}
        named = set(Organization.objects.filter(name__in=refs).values_list("name", flat=True))
        known = dict(Organization.objects.filter(code__in=refs - named - set(by_code)).values_list("code", "name"))
        if str(PARENT) in headers:
            column = headers.index(str(PARENT))
            for position, row in enumerate(rows):
                ref = str(row.get(str(PARENT)) or "").strip()
                if ref in refs - named and (ref in by_code or ref in known):
                    cells = list(dataset[position])
                    cells[column] = by_code.get(ref) or known[ref]
                    dataset[position] = tuple(cells)
                    row[str(PARENT)] = cells[column]
        parents = {name: str(row.get(str(PARENT)) or "").strip() for name, row in zip(names, rows, strict=True)}
        order, placed, self.cycles = [], set(), set()

        def place(name, trail):
            if name in placed or name not in parents:
                return
            if name in trail:
                self.cycles.update(trail[trail.index(name):])
                return
            place(parents[name], [*trail, name])
            if name not in placed:
                placed.add(name)
                order.append(name)

        for name in names:
            place(name, [])
        rank = {name: position for position, name in enumerate(order)}
        ordered = sorted(zip(names, dataset, strict=True), key=lambda pair: rank.get(pair[0], len(rank)))
        dataset.wipe()
        dataset.headers = headers
        for _name, row in ordered:
            dataset.append(row)
        # The sheet's bodies and the parents it names, loaded once; a body the import creates is
        # added as it is saved (after_save_instance), ahead of the rows below it.
        self.existing = {body.name: body for body in in_batches(Organization.objects.all(), "name",
                                                                 sorted(set(names) - {""}))}
        self.fields["parent"].widget.preload(parents.values())
        self.codes = dict(in_batches(Organization.objects.values_list("code", "name"), "code",
                                     sorted(set(codes) - {""})))
        self.code_of = {name: body.code for name, body in self.existing.items() if body.code}

    def get_instance(self, instance_loader, row):
        """The body by its name, from those loaded by before_import or saved by an earlier row."""
        return self.existing.get(row.get(str(NAME)))

    def validate_instance(self, instance, import_validation_errors=None, validate_unique=True):
        """The model's checks, but its name's and code's uniqueness and its parent's existence
        against what before_import loaded instead of three queries a row: the name found no other
        body (get_instance), the parent was found by its widget, and the code is checked here."""
        errors = dict(import_validation_errors or {})
        try:
            instance.full_clean(exclude=[*errors, "parent"], validate_unique=False, validate_constraints=False)
        except ValidationError as refused:
            errors = refused.update_error_dict(errors)
        if instance.code and self.codes.get(instance.code, instance.name) != instance.name:
            errors.setdefault("code", []).append(ValidationError(CODE_TAKEN))
        if errors:
            raise ValidationError(errors)

    def after_save_instance(self, instance, row, **kwargs):
        super().after_save_instance(instance, row, **kwargs)
        self.existing[instance.name] = instance
        self.fields["parent"].widget.by_name[instance.name] = instance
        # A body that gave up its code frees it for a later row, as the database would.
        given_up = self.code_of.get(instance.name)
        if given_up and given_up != instance.code and self.codes.get(given_up) == instance.name:
            del self.codes[given_up]
        if instance.code:
            self.codes[instance.code] = instance.name
        self.code_of[instance.name] = instance.code

    def before_import_row(self, row, **kwargs):
        super().before_import_row(row, **kwargs)
        name = str(row.get(str(NAME)) or "").strip()
        if not name:
            raise ValidationError(_("单位名称不能为空。"))
        if name in self.repeated:
            raise ValidationError(_("单位“%(name)s”在表中出现了不止一次。") % {"name": name})
        code = str(row.get(str(CODE)) or "").strip()
        if code in self.repeated_codes:
            raise ValidationError(_("单位代码“%(code)s”在表中出现了不止一次。") % {"code": code})
        if str(CODE) in row:
            row[str(CODE)] = code
        if name in self.cycles:
            raise ValidationError(_("单位“%(name)s”与其上级单位互为上下级，形成了循环。") % {"name": name})
        row[str(NAME)] = name
