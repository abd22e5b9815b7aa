def check_rule_text(name, params, negate, lists):
    return ""
