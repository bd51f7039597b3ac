"""The API's router: one registry of every app's viewsets."""

from rest_framework.routers import DefaultRouter

from verkstall.deadlines.api import DueItemViewSet
from verkstall.decisions.api import DecisionViewSet, ServiceTypeViewSet
from verkstall.orders.api import OrderViewSet
from verkstall.people.api import PersonViewSet
from verkstall.providers.api import ProviderViewSet

router = DefaultRouter()
router.register("persons", PersonViewSet, basename="person")
router.register("decisions", DecisionViewSet, basename="decision")
router.register("service-types", ServiceTypeViewSet, basename="service-type")
router.register("providers", ProviderViewSet, basename="provider")
router.register("orders", OrderViewSet, basename="order")
router.register("due-items", DueItemViewSet, basename="due-item")

urlpatterns = router.urls
