from django.urls import path

from reviews import views

app_name = "reviews"

urlpatterns = [
    path("health/", views.health_view, name="health"),
]
