"""The API's router: one registry of every app's viewsets."""

from rest_framework.routers import DefaultRouter

from verkstall.absences.api import HospitalNoticeViewSet, NoticeReceiptViewSet
from verkstall.alarms.api import AlarmOrderViewSet, ContactMoveViewSet, MealOrderViewSet
from verkstall.deadlines.api import DueItemViewSet
from verkstall.decisions.api import DecisionViewSet, ServiceTypeViewSet
from verkstall.decisions.iub_api import IubRequestViewSet
from verkstall.fees.api import FeeNoticeViewSet
from verkstall.ivo.api import IvoReportViewSet
from verkstall.journal.api import MessageViewSet, ProviderJournalViewSet
from verkstall.orders.api import OrderViewSet
from verkstall.orders.death_api import ClientDeathViewSet
from verkstall.orders.feed_api import EventFeedViewSet
from verkstall.payments.api import PerformedTimeViewSet
from verkstall.people.api import PersonViewSet
from verkstall.placements.api import QueueEntryViewSet
from verkstall.placements.stay_api import StayIntakeViewSet
from verkstall.plans.api import PlanViewSet
from verkstall.providers.api import ProviderViewSet
from verkstall.vouchers.api import VoucherReportViewSet, VoucherViewSet

router = DefaultRouter()
router.register("persons", PersonViewSet, basename="person")
router.register("decisions", DecisionViewSet, basename="decision")
router.register("service-types", ServiceTypeViewSet, basename="service-type")
router.register("iub-requests", IubRequestViewSet, basename="iub-request")
router.register("providers", ProviderViewSet, basename="provider")
router.register("orders", OrderViewSet, basename="order")
router.register("client-deaths", ClientDeathViewSet, basename="client-death")
router.register("events", EventFeedViewSet, basename="event")
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
router.register("performed-time", PerformedTimeViewSet, basename="performed-time")
router.register("queue-entries", QueueEntryViewSet, basename="queue-entry")
router.register("vouchers", VoucherViewSet, basename="voucher")
router.register("voucher-reports", VoucherReportViewSet, basename="voucher-report")
router.register("fee-notices", FeeNoticeViewSet, basename="fee-notice")
router.register("ivo-reports", IvoReportViewSet, basename="ivo-report")

urlpatterns = router.urls
