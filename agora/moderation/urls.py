"""URLs of moderation: public reporting and contact pages, the affected person's statements and appeals, and
the moderators' queue, cases, appeals, rules and audit log under /moderation/.
"""

from django.urls import path, re_path

from agora.moderation import views

app_name = "moderation"

UUID = r"[0-9a-fA-F-]{32,36}"

urlpatterns = [
    path("about/contact", views.contact, name="contact"),
    path("about/rules.json", views.rules_json, name="rules_json"),
    path("report", views.notice, name="notice"),
    re_path(rf"^report/post/(?P<post_id>{UUID})$", views.report_post, name="report_post"),
    re_path(
        r"^report/account/(?P<username>[A-Za-z0-9_]{1,30})$", views.report_account, name="report_account"
    ),
    path("settings/muted-words", views.muted_words, name="muted_words"),
    re_path(rf"^settings/muted-words/(?P<word_id>{UUID})/delete$", views.unmute_word, name="unmute_word"),
    path("moderation/notices", views.notices, name="notices"),
    re_path(rf"^moderation/decisions/(?P<decision_id>{UUID})$", views.statement, name="statement"),
    re_path(rf"^moderation/decisions/(?P<decision_id>{UUID})/appeal$", views.appeal, name="appeal"),
    path("moderation/", views.queue, name="queue"),
    re_path(rf"^moderation/cases/(?P<case_id>{UUID})$", views.case_detail, name="case"),
    re_path(
        rf"^moderation/cases/(?P<case_id>{UUID})/(?P<action>claim|note|decide|law-enforcement)$",
        views.case_action,
        name="case_action",
    ),
    path("moderation/appeals", views.appeals, name="appeals"),
    re_path(rf"^moderation/appeals/(?P<appeal_id>{UUID})$", views.decide_appeal, name="decide_appeal"),
    re_path(
        r"^moderation/reporters/(?P<username>[A-Za-z0-9_]{1,30})/(?P<action>mute|unmute)$",
        views.reporter_standing,
        name="reporter_standing",
    ),
    path("moderation/audit", views.audit, name="audit"),
    path("moderation/rules", views.rules, name="rules"),
    path("moderation/rules/new", views.edit_rule, name="new_rule"),
    re_path(rf"^moderation/rules/(?P<rule_id>{UUID})$", views.edit_rule, name="edit_rule"),
]
