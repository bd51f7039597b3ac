from django.urls import path

from . import document_views

urlpatterns = [
    path(
        "decisions/<int:pk>/letter.pdf",
        document_views.decision_letter_pdf,
        name="decision-letter-pdf",
    ),
]
