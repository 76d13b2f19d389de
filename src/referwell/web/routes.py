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
    check_ins,
    clients,
    directory,
    ethics_cards,
    fhir_endpoint,
    growth_admin,
    growth_competence,
    growth_records,
    growth_team,
    partners_admin,
    profile,
    questionnaires,
    record,
    referral_inbox,
    referrals,
    status_link,
    supervision,
)

__all__ = ["ROUTES", "STATIC", "routes_markdown"]

GET: Final = ("GET",)
POST: Final = ("POST",)
CLIENT: Final = "/clients/{client_id:id}"
ENTRY: Final = CLIENT + "/entries/{kind}/{entry_id:id}"
REFERRAL: Final = CLIENT + "/referrals/{referral_id:id}"


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
    RouteSpec("/assignments/{client_id:id}", POST, assign.reassign, "reassign",
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
    RouteSpec(f"{CLIENT}/supervision-records", POST, growth_records.record,
              "record_supervision", Permission.CLIENT_WRITE,
              summary="record supervision or consultation from a finding: the dated step, with "
                      "whom, a note kept out of every export"),
    # --- the provider directory -------------------------------------------------------
    RouteSpec("/directory", GET, directory.directory_page, "directory_page", Permission.CLINICAL,
              summary="the provider directory's search form (empty; an address carries no "
                      "filters)"),
    RouteSpec("/directory", POST, directory.search, "directory_search", Permission.CLINICAL,
              summary="search the provider directory: `service`, `age`, `postal_code`, `state`, "
                      "`insurance`, `language`, `telehealth`, `include_waitlist`, "
                      "`max_distance_km`, `k` (a form, kept out of addresses); options with "
                      "why each fits"),
    RouteSpec(f"{CLIENT}/options/{{position:id}}", GET, directory.client_options,
              "client_need_options", Permission.CLIENT_READ,
              summary="every option in the directory for the client's n-th referral need "
                      "(from 1, as the client page lists them), its filters from the record"),
    RouteSpec("/directory/entries/{external_id:path}", GET, directory.entry_page,
              "directory_entry", Permission.CLINICAL,
              summary="one entry of the directory: what it offers, to whom, where"),
    # --- questionnaires by link, for the client: no sign-in --------------------------------
    RouteSpec("/q/done", GET, questionnaires.done, "questionnaire_done", Permission.PUBLIC,
              summary="thank you; crisis resources when PHQ-9 item 9 was above 0"),
    RouteSpec("/q/{token}", GET, questionnaires.page, "questionnaire_page", Permission.PUBLIC,
              summary="a link's questionnaires and the practice's name (the link checks itself)"),
    RouteSpec("/q/{token}", POST, questionnaires.submit, "questionnaire_submit",
              Permission.PUBLIC, summary="send the answers: the link is used up, the client reassessed"),
    # --- one's own profile ------------------------------------------------------------
    RouteSpec("/profile", GET, profile.profile_page, "profile_page", Permission.SIGNED_IN,
              summary="own profile: competencies, training, API tokens, sessions"),
    RouteSpec("/profile/competencies", POST, profile.save_competencies, "save_competencies",
              Permission.CLINICAL, summary="set own competencies and training"),
    RouteSpec("/profile/tokens", POST, profile.create_token, "create_token", Permission.SIGNED_IN,
              summary="make a personal API token (shown once)"),
    RouteSpec("/profile/tokens/{token_id:id}/revoke", POST, profile.revoke_token,
              "revoke_token", Permission.SIGNED_IN, summary="revoke one of one's own API tokens"),
    RouteSpec("/profile/sessions/end-all", POST, profile.sign_out_everywhere,
              "sign_out_everywhere", Permission.SIGNED_IN,
              summary="sign out everywhere: end every session of one's own, this one too"),
    # --- the clinician's own growth: ethics practice, monthly check-in (issue 12) -------
    RouteSpec("/growth/cards", GET, ethics_cards.practice_page, "ethics_cards",
              Permission.CLINICAL,
              summary="ethics practice: the next card due, how many are due, retention by week"),
    RouteSpec("/growth/cards/answer", POST, ethics_cards.answer, "ethics_card_answer",
              Permission.CLINICAL,
              summary="show a card's answer, why, and its citations (nothing saved yet)"),
    RouteSpec("/growth/cards/review", POST, ethics_cards.review, "ethics_card_review",
              Permission.CLINICAL,
              summary="say how well one's own card was known; FSRS schedules it"),
    RouteSpec("/growth/check-ins", GET, check_ins.check_in_page, "check_ins",
              Permission.CLINICAL,
              summary="one's own monthly ProQOL check-in, its trend, what is shared"),
    RouteSpec("/growth/check-ins", POST, check_ins.record, "check_in_record",
              Permission.CLINICAL, summary="save this month's ProQOL check-in (one's own)"),
    RouteSpec("/growth/check-ins/sharing", POST, check_ins.sharing, "check_in_sharing",
              Permission.CLINICAL,
              summary="share one of one's own check-ins with one's supervisor, or stop"),
    RouteSpec("/growth/check-ins/burnout", GET, check_ins.offer_page, "burnout_offer",
              Permission.CLINICAL,
              summary="after a high score: the open cases burnout would be noted on"),
    RouteSpec("/growth/check-ins/burnout", POST, check_ins.answer_offer, "burnout_offer_answer",
              Permission.CLINICAL,
              summary="note burnout on one's open cases (only with one's agreement), or decline"),
    RouteSpec("/supervision/check-ins", GET, check_ins.supervisees, "supervisee_check_ins",
              Permission.SUPERVISOR,
              summary="whether supervisees check in: dates; scores only of shared check-ins"),
    # --- the clinician's own growth: competence with evidence, CE, the plan (issue 12) ---
    RouteSpec("/growth", GET, growth_competence.plan_page, "growth_plan", Permission.CLINICAL,
              summary="one's growth plan: the needs one's clients were referred for in the last "
                      "12 months, and the training that would serve them"),
    RouteSpec("/growth/evidence", GET, growth_competence.evidence_page, "growth_evidence",
              Permission.CLINICAL,
              summary="one's competencies, whether each counts and why, and their evidence"),
    RouteSpec("/growth/trainings", POST, growth_competence.add_training, "growth_add_training",
              Permission.CLINICAL, files=1,
              summary="add a course taken (the CE log; evidence when it names a competency), "
                      "with its certificate file"),
    RouteSpec("/growth/certifications", POST, growth_competence.add_certification,
              "growth_add_certification", Permission.CLINICAL,
              summary="add a certification (issuer, number, expiry)"),
    RouteSpec("/growth/supervised-hours", POST, growth_competence.add_supervised_hours,
              "growth_add_supervised_hours", Permission.CLINICAL,
              summary="add supervised hours in a competency, and with whom"),
    RouteSpec("/growth/evidence/in-error", POST, growth_competence.mark_in_error,
              "growth_evidence_in_error", Permission.CLINICAL,
              summary="mark one of one's own evidence entries entered in error, with the reason"),
    RouteSpec("/growth/ce", GET, growth_competence.ce_page, "growth_ce", Permission.CLINICAL,
              summary="one's CE log, totals per licence period, expiring certifications; "
                      "`?format=csv`"),
    RouteSpec("/growth/licence", POST, growth_competence.save_licence, "growth_save_licence",
              Permission.CLINICAL, summary="one's licence and its renewal date"),
    RouteSpec("/growth/certificate", GET, growth_competence.certificate, "growth_certificate",
              Permission.CLINICAL, summary="one of one's own certificate files, `?training=`"),
    RouteSpec("/growth/team", GET, growth_team.team_page, "growth_team", Permission.SUPERVISOR,
              summary="the team's growth: needs that leave it most, who is in training for what, "
                      "supervisees' competencies to verify"),
    RouteSpec("/growth/team/verify", POST, growth_team.verify, "growth_verify",
              Permission.SUPERVISOR, summary="verify a supervisee's competency: it counts"),
    RouteSpec("/growth/team/withdraw", POST, growth_team.withdraw, "growth_withdraw_verification",
              Permission.SUPERVISOR, summary="withdraw a verification of a supervisee's competency"),
    RouteSpec("/growth/supervision-log", GET, growth_team.supervision_log,
              "growth_supervision_log", Permission.SUPERVISOR,
              summary="a supervisee's supervision log with the clients discussed; `?clinician=`"),
    # --- the practice, by its admin -----------------------------------------------------
    RouteSpec("/admin/users", GET, admin.users, "admin_users", Permission.ADMIN,
              summary="the practice's users"),
    RouteSpec("/admin/users", POST, admin.create_user, "admin_create_user", Permission.ADMIN,
              summary="add a user"),
    RouteSpec("/admin/users/{user_id:id}", GET, admin.user_page, "admin_user", Permission.ADMIN,
              summary="one user of the practice"),
    RouteSpec("/admin/users/{user_id:id}", POST, admin.update_user, "admin_update_user",
              Permission.ADMIN, summary="change a user: name, role, supervisor, active, password"),
    RouteSpec("/admin/users/{user_id:id}/unlock", POST, admin.unlock_user, "admin_unlock_user",
              Permission.ADMIN, summary="unlock a user locked out by failed sign-ins"),
    RouteSpec("/admin/competence", GET, growth_admin.policy_page, "admin_competence",
              Permission.ADMIN,
              summary="what counts as competence, and the minimum of evidence per competency"),
    RouteSpec("/admin/competence", POST, growth_admin.save_policy, "admin_save_competence",
              Permission.ADMIN, summary="change what counts and the minimums (with a reason)"),
    RouteSpec("/admin/settings", GET, admin.settings, "admin_settings", Permission.ADMIN,
              summary="the practice's rule settings"),
    RouteSpec("/admin/settings", POST, admin.save_settings, "admin_save_settings", Permission.ADMIN,
              summary="change the rule settings"),
    RouteSpec("/admin/partners", GET, partners_admin.partners_page, "admin_partners",
              Permission.ADMIN, summary="the practice's partner practices (other referwell "
                                        "practices it exchanges referrals with)"),
    RouteSpec("/admin/partners", POST, partners_admin.add, "admin_add_partner", Permission.ADMIN,
              summary="add a partner: name, address, directory entries, the token it issued "
                      "to us; our token for it shown once"),
    RouteSpec("/admin/partners/revoke", POST, partners_admin.revoke, "admin_revoke_partner",
              Permission.ADMIN, summary="revoke a partner: its token is refused from now on"),
    # --- the sending clinician's referrals (issue 11) -------------------------------------
    RouteSpec("/referrals", GET, referrals.worklist, "referral_worklist", Permission.CLINICAL,
              summary="one's open referrals (a supervisor's supervisees' too), the ones due "
                      "for a nudge first, with why"),
    RouteSpec(f"{CLIENT}/referrals", POST, referrals.open_referral, "open_referral",
              Permission.CLIENT_WRITE,
              summary="open a referral: from a referral need with the options shown beside "
                      "it, or with a reason typed"),
    RouteSpec(REFERRAL, GET, referrals.referral_page, "referral_page", Permission.CLIENT_READ,
              summary="a referral: options, checklist, consent, transfer summary, send; then "
                      "its status, next steps, the letter"),
    RouteSpec(REFERRAL, POST, referrals.save_referral, "save_referral", Permission.CLIENT_WRITE,
              summary="save a draft referral in one go (receiver, checklist, consent, "
                      "summary); with `action=send` send it"),
    RouteSpec(f"{REFERRAL}/options", POST, referrals.add_option, "add_referral_option",
              Permission.CLIENT_WRITE, summary="offer one more directory entry on a draft"),
    RouteSpec(f"{REFERRAL}/search", POST, referrals.search, "referral_search",
              Permission.CLIENT_WRITE,
              summary="search the directory for another option, from the client's record"),
    RouteSpec(f"{REFERRAL}/consents/revoke", POST, referrals.revoke_consent,
              "revoke_referral_consent", Permission.CLIENT_WRITE,
              summary="revoke a consent to release: nothing more is shared under it"),
    RouteSpec(f"{REFERRAL}/steps", POST, referrals.record_step, "record_referral_step",
              Permission.CLIENT_WRITE,
              summary="record a next step: withdraw, no contact …, or a receiver's change "
                      "on their behalf (who reported it)"),
    RouteSpec(f"{REFERRAL}/letter", GET, referrals.letter_page, "referral_letter_page",
              Permission.CLIENT_READ, summary="the referral letter (what the consent covers)"),
    RouteSpec(f"{REFERRAL}/letter.pdf", GET, referrals.letter_pdf, "referral_letter_pdf",
              Permission.CLIENT_READ, summary="the referral letter as a PDF"),
    # --- referrals between practices (issue 11) -----------------------------------------
    RouteSpec("/referrals/inbox", GET, referral_inbox.inbox_page, "referral_inbox",
              Permission.CLINICAL,
              summary="incoming referrals: the supervisors' inbox, and the accepted ones "
                      "until care is established"),
    RouteSpec("/referrals/inbox/accept", POST, referral_inbox.accept, "referral_inbox_accept",
              Permission.CLINICAL,
              summary="accept an incoming referral (supervisors): a clinician takes it, the "
                      "client's record is made from what the consent covered"),
    RouteSpec("/referrals/inbox/step", POST, referral_inbox.step, "referral_inbox_step",
              Permission.CLINICAL,
              summary="the receiver's step on an incoming referral (acknowledge, decline, "
                      "schedule, no-show, first appointment, care established, waitlist)"),
    RouteSpec("/referrals/status-links", POST, status_link.create, "create_status_link",
              Permission.CLINICAL,
              summary="make a status link (shown once) for the receiver of a sent referral"),
    RouteSpec("/r/{token}", GET, status_link.page, "status_link_page", Permission.PUBLIC,
              summary="a referral's status link: what the consent covers, the receiver's "
                      "answers (the link checks itself)"),
    RouteSpec("/r/{token}", POST, status_link.answer, "status_link_answer", Permission.PUBLIC,
              summary="the receiver's answer: acknowledge, accept with a date, decline with a "
                      "reason, the first appointment"),
    RouteSpec("/fhir/r4/Bundle", POST, fhir_endpoint.receive_bundle, "fhir_receive_bundle",
              Permission.PUBLIC, partner_api=True,
              summary="a partner practice sends a referral Bundle (its token checks itself)"),
    RouteSpec("/fhir/r4/Task/{task_id}", GET, fhir_endpoint.read_task, "fhir_read_task",
              Permission.PUBLIC, partner_api=True,
              summary="a partner reads a referral exchanged with it, as a FHIR Task"),
    RouteSpec("/fhir/r4/Task/{task_id}", ("PUT",), fhir_endpoint.update_task, "fhir_update_task",
              Permission.PUBLIC, partner_api=True,
              summary="a partner updates the Task's status, with If-Match"),
    # --- the JSON API -------------------------------------------------------------------
    RouteSpec("/api/v1/assess", POST, api.assess, "api_assess", Permission.CLINICAL, api=True,
              summary="Assess a case (stateless)", openapi_extra=api.ASSESS_OPENAPI,
              responses=api.error_responses(401, 403, 413, 415, 422, 429), tags=("assessment",)),
    RouteSpec("/api/v1/clients/{client_id:id}/case", GET, api.case, "api_client_case",
              Permission.CLIENT_READ, api=True, summary="A client's case as of today",
              responses=api.error_responses(401, 404, 429), tags=("clients",)),
    RouteSpec("/api/v1/clients/{client_id:id}/assessment", GET, api.assessment,
              "api_client_assessment", Permission.CLIENT_READ, api=True,
              summary="A client's current assessment",
              responses=api.error_responses(401, 404, 429), tags=("clients",)),
    RouteSpec("/openapi.json", GET, api.openapi, "openapi", Permission.PUBLIC, api=True,
              in_schema=False, summary="the OpenAPI document of the JSON API"),
)  # fmt: skip


def routes_markdown() -> str:
    """The routes table as Markdown, for docs/web.md (a test keeps the copy there fresh)."""
    lines = ["| method | path | permission | what |", "|---|---|---|---|"]
    for spec in ROUTES:
        what = spec.summary or spec.name
        path = spec.path.replace(":id}", "}")
        for method in spec.methods:
            lines.append(f"| {method} | `{path}` | `{spec.permission.value}` | {what} |")
    lines.append(
        f"| GET | `{STATIC.path}/…` | `{STATIC.permission.value}` | static files (CSS, JS, vendored libraries) |"
    )
    return "\n".join(lines)
