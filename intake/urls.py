from django.urls import path

from . import views

app_name = "intake"

urlpatterns = [
    path("candidate/", views.CandidateView.as_view(), name="candidate"),
    path("ask/", views.AskView.as_view(), name="ask"),
    path("appointment/", views.AppointmentView.as_view(), name="appointment"),
    path("thanks/", views.ThanksView.as_view(), name="thanks"),
    path("altcha/challenge/", views.altcha_challenge, name="altcha_challenge"),
    path("newsletter/", views.NewsletterView.as_view(), name="newsletter"),
    path("newsletter/sent/", views.NewsletterSentView.as_view(), name="newsletter_sent"),
    path("newsletter/confirm/<str:token>/", views.NewsletterConfirmView.as_view(), name="newsletter_confirm"),
    path(
        "newsletter/unsubscribe/<str:token>/",
        views.NewsletterUnsubscribeView.as_view(),
        name="newsletter_unsubscribe",
    ),
]
