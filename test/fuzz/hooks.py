"""Schemathesis hooks for Regatta's API test (test/integration/api-schemathesis.test.ts).

The OpenAPI document states every constraint JSON Schema can state. These hooks drop the
generated bodies that break one it cannot: rules between values of different fields, and rules
about what is stored. Each is a 4xx naming the field, tested in the api-*.test.ts files.
"""

import re

import schemathesis

MONTHS = ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"]
WEEKDAYS = ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"]


def _cron_value(text, index):
    names = MONTHS if index == 4 else WEEKDAYS if index == 5 else []
    upper = text.upper()
    if upper in names:
        return names.index(upper) + (1 if index == 4 else 0)
    return int(text)


def _has_reversed_range(cron):
    """A range that ends before it starts (`5-3`): harbor-cron.ts refuses it, a pattern cannot."""
    for index, field in enumerate(cron.split()):
        for item in field.split(","):
            bounds = item.split("/")[0].split("-")
            if len(bounds) == 2 and _cron_value(bounds[1], index) < _cron_value(bounds[0], index):
                return True
    return False


def _crons(body):
    trigger = body.get("trigger")
    if isinstance(trigger, dict) and isinstance(trigger.get("trigger_settings"), dict):
        yield trigger["trigger_settings"].get("cron")
    audit = body.get("drift_audit")
    if isinstance(audit, dict):
        yield audit.get("cron")


@schemathesis.hook
def filter_case(context, case):
    """Every phase applies this one (the coverage phase applies no body filter)."""
    body = case.body
    if not isinstance(body, dict):
        return True
    path, method = case.operation.path, case.operation.method.upper()
    if path in ("/replication/policies", "/replication/policies/{id}"):
        for cron in _crons(body):
            if isinstance(cron, str) and re.fullmatch(r" *0 .*", cron) and _has_reversed_range(cron):
                return False
        many = body.get("dest_registries")
        one = body.get("dest_registry")
        if isinstance(many, list):
            # 3 and 3.0 name one registry.
            ids = [_as_integer(entry.get("id")) for entry in many if isinstance(entry, dict)]
            # No registry named twice, and dest_registry one of them.
            if len(set(map(str, ids))) != len(ids):
                return False
            if isinstance(one, dict) and _as_integer(one.get("id")) not in ids:
                return False
    if path in ("/webhook/policies", "/webhook/policies/{id}"):
        targets = body.get("targets")
        target = targets[0] if isinstance(targets, list) and targets and isinstance(targets[0], dict) else {}
        # "*****" keeps a stored secret: a policy that has none refuses it.
        if "*****" in (target.get("auth_header"), target.get("hmac_secret")):
            return False
        # A PUT that keeps the stored auth_header may not move the address to another origin.
        if method == "PUT" and target.get("auth_header") is None:
            return False
    if path == "/registries/{id}" and method == "PUT":
        # Kept secrets and lone flat secrets are checked against the stored registry.
        credential = body.get("credential")
        if body.get("webhook_secret") == "*****" or body.get("access_secret") == "*****":
            return False
        if isinstance(credential, dict) and credential.get("access_secret") == "*****":
            return False
        if body.get("access_secret") not in (None, "") and body.get("access_key") is None:
            return False
    return True


def _as_integer(value):
    return int(value) if isinstance(value, float) and value.is_integer() else value


@schemathesis.hook
def map_case(context, case):
    """JSON Schema counts 28649.0 as an integer; in a URL Regatta reads ids written as integers."""
    for parameters in (case.path_parameters, case.query):
        if isinstance(parameters, dict):
            for name, value in parameters.items():
                parameters[name] = _as_integer(value)
    return case
