/* errtext.c -- translated texts for protocol error codes. */
#include "errtext.h"

#include <stdio.h>
#include <string.h>

#include "i18n.h"
#include "validate.h"
#include "wire.h"

const char *th_errtext_reason(int code)
{
    switch (code) {
    case TONGHOP__ERROR__CODE__MALFORMED: return _("the message could not be read (not a tonghop request)");
    case TONGHOP__ERROR__CODE__UNSUPPORTED_VERSION:
        return _("this protocol version is not supported by the server");
    case TONGHOP__ERROR__CODE__UNSUPPORTED: return _("this request is not supported by the server yet");
    case TONGHOP__ERROR__CODE__MISSING_FIELD: return _("a required value is missing");
    case TONGHOP__ERROR__CODE__INVALID_VALUE: return _("the value is not valid");
    case TONGHOP__ERROR__CODE__BAD_PERIOD:
        return _("the period must be a quarter that has begun, written like 2025Q3");
    case TONGHOP__ERROR__CODE__UNKNOWN_UNIT: return _("unknown administrative unit code");
    case TONGHOP__ERROR__CODE__UNKNOWN_INDICATOR: return _("unknown indicator code");
    case TONGHOP__ERROR__CODE__NEGATIVE_VALUE: return _("the number must not be negative");
    case TONGHOP__ERROR__CODE__NUMERATOR_EXCEEDS_DENOMINATOR:
        return _("the numerator is larger than the denominator");
    case TONGHOP__ERROR__CODE__DUPLICATE_INDICATOR: return _("the indicator appears more than once");
    case TONGHOP__ERROR__CODE__WRONG_KIND:
        return _("the value does not match the indicator's kind (ratio: numerator and denominator; count: "
                 "value; qualitative: text)");
    case TONGHOP__ERROR__CODE__TOO_LARGE: return _("too many values or too long a text");
    case TONGHOP__ERROR__CODE__ID_REUSED:
        return _("this submission id was already used for different results");
    case TONGHOP__ERROR__CODE__UNAVAILABLE:
        return _(
            "the server cannot reach its database; try again later (results sent again are never counted "
            "twice)");
    case TONGHOP__ERROR__CODE__INTERNAL: return _("internal server error; nothing was stored");
    case TONGHOP__ERROR__CODE__PERIOD_LOCKED:
        return _(
            "the period has been approved and is closed: the unit that approved it (or one above it) must "
            "reopen it first (tonghop reopen)");
    case TONGHOP__ERROR__CODE__CHILDREN_NOT_APPROVED:
        return _("the units below have not all approved yet; to approve before them, say so with "
                 "--before-children (it is recorded)");
    case TONGHOP__ERROR__CODE__NOT_APPROVED:
        return _("this period is not approved: there is nothing to reopen");
    case TONGHOP__ERROR__CODE__FORBIDDEN: return _("this unit is not allowed to do that");
    case TONGHOP__ERROR__CODE__BAD_JSON: return _("the file is not valid JSON");
    case TONGHOP__ERROR__CODE__UNKNOWN_FIELD:
        return _("the file format has no such field (a typing mistake?)");
    case TONGHOP__ERROR__CODE__OVERLAPPING_YEARS:
        return _("another target for the same indicator already covers these years");
    case TONGHOP__ERROR__CODE__UNIT_CEASED:
        return _("this unit had ceased to exist by then (merged into another, or dissolved); the unit named "
                 "reports for its territory from that date");
    case TONGHOP__ERROR__CODE__UNIT_NOT_YET:
        return _(
            "this unit did not exist yet then: it came into being on the date named, made from the units "
            "named, which report for its territory before that date");
    case TONGHOP__ERROR__CODE__OUTSIDE_PLAN_YEARS: return _("the years are outside the years of the plan");
    case TONGHOP__ERROR__CODE__RATIO_ABOVE_100: return _("a percentage target cannot be above 100");
    case TONGHOP__ERROR__CODE__PLAN_CODE_REUSED:
        return _("a plan with this code and revision is already stored with different content; publish it as "
                 "a new revision");
    case TONGHOP__ERROR__CODE__OLD_REVISION: return _("a newer revision of this plan is already stored");
    case TONGHOP__ERROR__CODE__NOT_FOUND: return _("not found");
    case TONGHOP__ERROR__CODE__INDICATOR_IN_USE:
        return _("the indicator already has results or plans: its kind and stock/flow can no longer change "
                 "(names and descriptions can)");
    case TONGHOP__ERROR__CODE__OUTSIDE_PLAN: return _("the unit is not in the territory the plan covers");
    case TONGHOP__ERROR__CODE__BUSY:
        return _(
            "the server is busy with this computer's earlier requests; nothing was stored, try again in a "
            "moment");
    default: return _("unknown error");
    }
}

/* The fixed details the checks themselves write (not a value from the
 * user), in the user's language. */
static const char *known_detail(const char *detail)
{
    if (!detail) return NULL;
    if (!strcmp(detail, TH_WIRE_DETAIL_NUL)) return _("a NUL byte inside the text");
    if (!strcmp(detail, TH_WIRE_DETAIL_NOT_UTF8)) return _("the text is not UTF-8");
    if (!strcmp(detail, TH_DETAIL_ABOVE_MAX)) return _("above 1,000,000,000");
    return detail;
}

/* FORBIDDEN says which rule refused through its field (server/authz.h);
 * the detail is the unit, plan or role refused. */
static const char *forbidden_reason(const char *field)
{
    if (!field) return NULL;
    if (!strcmp(field, "key")) return _("this computer's key has been revoked");
    if (!strcmp(field, "submission.unit_code"))
        return _("this computer's key may send results only for its own unit");
    if (!strcmp(field, "submission.period"))
        return _("this computer's unit had ceased by then, and its code now names another unit: the key does "
                 "not speak for that one");
    if (!strcmp(field, "submission.successor"))
        return _(
            "this computer's unit had ceased by then, and its code now names the unit that succeeded it, "
            "which sends with a key of its own: enrol one for it");
    if (!strcmp(field, "unit_code"))
        return _("the unit is outside the territory of this computer's key (for that period)");
    if (!strcmp(field, "plan_code"))
        return _("the plan neither covers this computer's unit nor was issued inside its territory");
    if (!strcmp(field, "issuer_unit"))
        return _(
            "only an admin key, or the key of the province the issuer belongs to, may publish this plan");
    if (!strcmp(field, "catalogue_json")) return _("only an admin key may publish the indicator catalogue");
    if (!strcmp(field, "approval.unit_code"))
        return _("only the key of the unit itself may approve its results (ministry and admin keys approve "
                 "nothing)");
    if (!strcmp(field, "approval.commune"))
        return _("a commune's results are approved by the unit above it (its district, or its province)");
    if (!strcmp(field, "reopen.unit_code"))
        return _("only the key of the unit that approved, or of a unit above it, may reopen");
    return NULL;
}

/* A reason more precise than the code's for some fields; NULL: none. */
static const char *field_reason(int code, const char *field)
{
    if (code == TONGHOP__ERROR__CODE__FORBIDDEN) return forbidden_reason(field);
    if (!field) return NULL;
    if (code == TONGHOP__ERROR__CODE__BAD_PERIOD && !strcmp(field, "approval.period"))
        return _("the period has not ended yet: it can be approved from the day after its last day");
    if (code == TONGHOP__ERROR__CODE__NOT_FOUND && !strcmp(field, "plan_code"))
        return _("no plan has this code");
    return NULL;
}

char *th_errtext_format(int code, const char *field, const char *detail, char *buf, size_t size)
{
    const char *reason = field_reason(code, field);
    if (!reason) reason = th_errtext_reason(code);
    detail = known_detail(detail);
    int has_field = field && *field, has_detail = detail && *detail;
    if (has_field && has_detail) /* TRANSLATORS: field name, reason, then the offending value. */
        snprintf(buf, size, _("field %s: %s (%s)"), field, reason, detail);
    else if (has_field)
        snprintf(buf, size, _("field %s: %s"), field, reason);
    else if (has_detail)
        snprintf(buf, size, "%s (%s)", reason, detail);
    else
        snprintf(buf, size, "%s", reason);
    return buf;
}
