from django.urls import path

from . import views

app_name = "casestudies"

urlpatterns = [
    path("case-studies/", views.CaseStudyListView.as_view(), name="list"),
    path("case-studies/<slug:slug>/", views.CaseStudyDetailView.as_view(), name="detail"),
]
