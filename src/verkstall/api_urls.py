"""The API's router: one registry of every app's viewsets."""

from rest_framework.routers import DefaultRouter

from verkstall.absences.api import HospitalNoticeViewSet, NoticeReceiptViewSet
from verkstall.alarms.api import AlarmOrderViewSet, ContactMoveViewSet, MealOrderViewSet
from verkstall.deadlines.api import DueItemViewSet
from verkstall.decisions.api import DecisionViewSet, ServiceTypeViewSet
from verkstall.journal.api import MessageViewSet, ProviderJournalViewSet
from verkstall.orders.api import OrderViewSet
from verkstall.people.api import PersonViewSet
from verkstall.placements.api import StayIntakeViewSet
from verkstall.plans.api import PlanViewSet
from verkstall.providers.api import ProviderViewSet

router = DefaultRouter()
router.register("persons", PersonViewSet, basename="person")
router.register("decisions", DecisionViewSet, basename="decision")
router.register("service-types", ServiceTypeViewSet, basename="service-type")
router.register("providers", ProviderViewSet, basename="provider")
router.register("orders", OrderViewSet, basename="order")
router.register("due-items", DueItemViewSet, basename="due-item")
router.register("plans", PlanViewSet, basename="plan")
router.register("messages", MessageViewSet, basename="message")
router.register("provider-journal", ProviderJournalViewSet, basename="provider-journal")
router.register("hospital-notices", HospitalNoticeViewSet, basename="hospital-notice")
router.register("notice-receipts", NoticeReceiptViewSet, basename="notice-receipt")
router.register("alarm-orders", AlarmOrderViewSet, basename="alarm-order")
router.register("alarm-contact-moves", ContactMoveViewSet, basename="alarm-contact-move")
router.register("meal-orders", MealOrderViewSet, basename="meal-order")
router.register("stay-intakes", StayIntakeViewSet, basename="stay-intake")

urlpatterns = router.urls
