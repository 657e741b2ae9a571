import threading

import pytest
from django.db import connection, connections

from partners import services
from partners.errors import InvalidPair
from partners.models import Pair
from tests.partners.factories import PairFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_pair_create_concurrent_twins_make_one_pair():
    ended = PairFactory()
    services.pair_end(pair=ended, acting_user=None)
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def create() -> None:
        try:
            barrier.wait()
            services.pair_create(
                advisor=ended.advisor, social_worker=ended.social_worker, acting_user=None
            )
            outcomes.append("créé")
        except InvalidPair as error:
            outcomes.append(error.message)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=create) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(outcomes) == ["Ce binôme existe déjà et est en cours.", "créé"]
    assert Pair.objects.active().count() == 1


def test_planner_settings_apply_to_every_connection():
    with connection.cursor() as cursor:
        cursor.execute("SHOW random_page_cost")
        assert cursor.fetchone() == ("1.1",)
