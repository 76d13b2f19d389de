"""The routes table: every route of the app, its view and the permission it demands.

`create_app` registers exactly these (and the static files, `STATIC`), each
behind the guard of its permission; a test builds the permission matrix from
this table and fails on any route of the app that is not in it.
"""

from __future__ import annotations

from typing import Final

from referwell.services.permissions import Permission
from referwell.web.routespec import STATIC, RouteSpec
from referwell.web.views import (
    admin,
    api,
    assign,
    auth,
    caseload,
    clients,
    profile,
    questionnaires,
    record,
    supervision,
)

__all__ = ["ROUTES", "STATIC", "routes_markdown"]

GET: Final = ("GET",)
POST: Final = ("POST",)
CLIENT: Final = "/clients/{client_id:int}"
ENTRY: Final = CLIENT + "/entries/{kind}/{entry_id:int}"


ROUTES: Final[tuple[RouteSpec, ...]] = (
    # --- signing in -------------------------------------------------------------------
    RouteSpec("/", GET, auth.home, "home", Permission.PUBLIC,
              summary="sends each role to its start page, or to sign in"),
    RouteSpec("/healthz", GET, auth.healthz, "healthz", Permission.PUBLIC,
              summary="liveness probe: `ok`"),
    RouteSpec("/login", GET, auth.login_form, "login_form", Permission.PUBLIC,
              summary="the sign-in form"),
    RouteSpec("/login", POST, auth.login, "login", Permission.PUBLIC,
              summary="sign in (username, password, CSRF token)"),
    RouteSpec("/logout", POST, auth.logout, "logout", Permission.SIGNED_IN,
              summary="sign out"),
    # --- caseloads --------------------------------------------------------------------
    RouteSpec("/caseload", GET, caseload.caseload, "caseload", Permission.CLINICAL,
              summary="the clinician's caseload, most pressing first, with flags"),
    RouteSpec("/supervision", GET, supervision.supervision, "supervision", Permission.SUPERVISOR,
              summary="supervisees' clients in care, in the engine's order; `?clinician=`, "
                      "`?recommendation=`, `?format=csv`"),
    RouteSpec("/supervision", POST, supervision.filtered, "supervision_filtered",
              Permission.SUPERVISOR,
              summary="the same list filtered, by name or case id too (kept out of addresses); "
                      "CSV with `format=csv`"),
    RouteSpec(f"{CLIENT}/review", POST, supervision.review, "review_client",
              Permission.CLIENT_REVIEW,
              summary="mark a supervisee's client reviewed, with a note; clears when the "
                      "recommendation changes"),
    # --- clients coming and going ------------------------------------------------------
    RouteSpec("/clients/new", GET, record.new_client_page, "new_client_page", Permission.CLINICAL,
              summary="the form for a new client of one's own caseload"),
    RouteSpec("/clients/new", POST, record.add_client, "add_client", Permission.CLINICAL,
              summary="add a client: name, case id, age, concerns …; an episode of care opens"),
    RouteSpec("/clients/discharged", GET, record.discharged, "discharged", Permission.CLINICAL,
              summary="one's discharged clients (a supervisor's: their supervisees' too)"),
    RouteSpec("/assignments", GET, assign.assignments, "assignments", Permission.CLIENT_ASSIGN,
              summary="clients to reassign, names and case ids only (supervisors, admins)"),
    RouteSpec("/assignments/{client_id:int}", POST, assign.reassign, "reassign",
              Permission.CLIENT_ASSIGN, summary="move a client to another clinician of the practice"),
    # --- one client -------------------------------------------------------------------
    RouteSpec(CLIENT, GET, clients.client_page, "client_page", Permission.CLIENT_READ,
              summary="the client page: assessment card, charts, record, forms"),
    RouteSpec(f"{CLIENT}/measures", POST, clients.add_measure, "add_measure", Permission.CLIENT_WRITE,
              summary="add a questionnaire by its item answers"),
    RouteSpec(f"{CLIENT}/sessions", POST, clients.add_session, "add_session", Permission.CLIENT_WRITE,
              summary="add a session and its attendance"),
    RouteSpec(f"{CLIENT}/events", POST, clients.add_event, "add_event", Permission.CLIENT_WRITE,
              summary="add an event"),
    RouteSpec(f"{CLIENT}/factors", POST, clients.add_factor, "add_factor", Permission.CLIENT_WRITE,
              summary="add something the clinician notices in themselves"),
    RouteSpec(f"{CLIENT}/steps", POST, clients.add_step, "add_step", Permission.CLIENT_WRITE,
              summary="add a step taken"),
    RouteSpec(f"{CLIENT}/goals", POST, clients.add_goal, "add_goal", Permission.CLIENT_WRITE,
              summary="add a goal"),
    RouteSpec(ENTRY, GET, record.entry_page, "entry_page", Permission.CLIENT_WRITE,
              summary="one entry of the record: mark it entered in error; a goal's status"),
    RouteSpec(f"{ENTRY}/in-error", POST, record.mark_in_error, "mark_in_error",
              Permission.CLIENT_WRITE,
              summary="mark an entry entered in error, with the reason (it stays, struck through)"),
    RouteSpec(f"{ENTRY}/status", POST, record.change_goal_status, "change_goal_status",
              Permission.CLIENT_WRITE, summary="a goal's status from a day on"),
    RouteSpec(f"{CLIENT}/discharge", GET, record.discharge_page, "discharge_page",
              Permission.CLIENT_WRITE, summary="the discharge form"),
    RouteSpec(f"{CLIENT}/discharge", POST, record.discharge, "discharge", Permission.CLIENT_WRITE,
              summary="close the episode of care (refused while acting on safety now)"),
    RouteSpec(f"{CLIENT}/readmit", POST, record.readmit, "readmit", Permission.CLIENT_WRITE,
              summary="open a new episode of care for a discharged client"),
    RouteSpec(f"{CLIENT}/considering-referral", POST, clients.consider_referral,
              "consider_referral", Permission.CLIENT_WRITE,
              summary="record why referral is considered; the cautions come first"),
    RouteSpec(f"{CLIENT}/questionnaire-links", POST, questionnaires.create, "create_link",
              Permission.CLIENT_WRITE,
              summary="make a one-time questionnaire link (shown once) for the client to fill in"),
    RouteSpec(f"{CLIENT}/questionnaire-links/withdraw", POST, questionnaires.withdraw,
              "withdraw_link", Permission.CLIENT_WRITE, summary="withdraw an unused link"),
    # --- questionnaires by link, for the client: no sign-in --------------------------------
    RouteSpec("/q/done", GET, questionnaires.done, "questionnaire_done", Permission.PUBLIC,
              summary="thank you; crisis resources when PHQ-9 item 9 was above 0"),
    RouteSpec("/q/{token}", GET, questionnaires.page, "questionnaire_page", Permission.PUBLIC,
              summary="a link's questionnaires and the practice's name (the link checks itself)"),
    RouteSpec("/q/{token}", POST, questionnaires.submit, "questionnaire_submit",
              Permission.PUBLIC, summary="send the answers: the link is used up, the client reassessed"),
    # --- one's own profile ------------------------------------------------------------
    RouteSpec("/profile", GET, profile.profile_page, "profile_page", Permission.SIGNED_IN,
              summary="own profile: competencies, training, API tokens"),
    RouteSpec("/profile/competencies", POST, profile.save_competencies, "save_competencies",
              Permission.CLINICAL, summary="set own competencies and training"),
    RouteSpec("/profile/tokens", POST, profile.create_token, "create_token", Permission.SIGNED_IN,
              summary="make a personal API token (shown once)"),
    RouteSpec("/profile/tokens/{token_id:int}/revoke", POST, profile.revoke_token,
              "revoke_token", Permission.SIGNED_IN, summary="revoke one of one's own API tokens"),
    # --- the practice, by its admin -----------------------------------------------------
    RouteSpec("/admin/users", GET, admin.users, "admin_users", Permission.ADMIN,
              summary="the practice's users"),
    RouteSpec("/admin/users", POST, admin.create_user, "admin_create_user", Permission.ADMIN,
              summary="add a user"),
    RouteSpec("/admin/users/{user_id:int}", GET, admin.user_page, "admin_user", Permission.ADMIN,
              summary="one user of the practice"),
    RouteSpec("/admin/users/{user_id:int}", POST, admin.update_user, "admin_update_user",
              Permission.ADMIN, summary="change a user: name, role, supervisor, active, password"),
    RouteSpec("/admin/settings", GET, admin.settings, "admin_settings", Permission.ADMIN,
              summary="the practice's rule settings"),
    RouteSpec("/admin/settings", POST, admin.save_settings, "admin_save_settings", Permission.ADMIN,
              summary="change the rule settings"),
    # --- the JSON API -------------------------------------------------------------------
    RouteSpec("/api/v1/assess", POST, api.assess, "api_assess", Permission.CLINICAL, api=True,
              summary="Assess a case (stateless)", openapi_extra=api.ASSESS_OPENAPI,
              responses=api.error_responses(401, 403, 422), tags=("assessment",)),
    RouteSpec("/api/v1/clients/{client_id:int}/case", GET, api.case, "api_client_case",
              Permission.CLIENT_READ, api=True, summary="A client's case as of today",
              responses=api.error_responses(401, 404), tags=("clients",)),
    RouteSpec("/api/v1/clients/{client_id:int}/assessment", GET, api.assessment,
              "api_client_assessment", Permission.CLIENT_READ, api=True,
              summary="A client's current assessment",
              responses=api.error_responses(401, 404), tags=("clients",)),
    RouteSpec("/openapi.json", GET, api.openapi, "openapi", Permission.PUBLIC, api=True,
              in_schema=False, summary="the OpenAPI document of the JSON API"),
)  # fmt: skip


def routes_markdown() -> str:
    """The routes table as Markdown, for docs/web.md (a test keeps the copy there fresh)."""
    lines = ["| method | path | permission | what |", "|---|---|---|---|"]
    for spec in ROUTES:
        what = spec.summary or spec.name
        path = spec.path.replace(":int}", "}")
        for method in spec.methods:
            lines.append(f"| {method} | `{path}` | `{spec.permission.value}` | {what} |")
    lines.append(
        f"| GET | `{STATIC.path}/…` | `{STATIC.permission.value}` | static files (CSS, JS, vendored libraries) |"
    )
    return "\n".join(lines)
