"""The Microsoft Teams settings section: a program admin connects the organisation's bot
(app id, tenant, client secret sealed and never shown back), downloads the Teams app
package, sees whether Teams is connected, and can disconnect it, which stops everything."""

from __future__ import annotations

import io
import json
import zipfile
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings as django_settings
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.urls import reverse

from bridgework.accounts.models import Organisation, Person, SettingsChange
from bridgework.chat import services as chat_services
from bridgework.chat.models import ChatLink, ChatLinkCode, Destination, ReminderDestination
from bridgework.lib import keyfiles
from bridgework.teams.models import Conversation, TeamsBot

from ..conftest import Clock, client_for
from ..test_reminders import commit_weekly
from .conftest import APP_ID, BOT_SECRET, TENANT_ID, activity, post
from .loopback import MicrosoftOnLoopback
from .test_bot import CODE, card_text, last_post, link_in_teams

URL = reverse("teams_settings")
OTHER_APP_ID = "11111111-2222-4333-8444-555555555555"
OTHER_TENANT_ID = "99999999-8888-4777-8666-555555555555"

pytestmark = pytest.mark.django_db


def bot_form(**changes: str) -> dict[str, str]:
    return {"app_id": APP_ID, "tenant_id": TENANT_ID, "client_secret": BOT_SECRET, **changes}


def test_the_teams_section_is_listed_in_the_settings_navigation(program_admin: Person) -> None:
    page = client_for(program_admin).get(reverse("organisation_settings"))
    assert b'href="/settings/teams/"' in page.content


def test_a_new_organisation_is_not_connected(program_admin: Person) -> None:
    page = client_for(program_admin).get(URL)
    assert b"Not connected." in page.content
    assert b"/teams/messages" in page.content
    assert reverse("teams_package").encode() not in page.content


def test_an_admin_connects_the_bot_and_the_secret_is_sealed(
    organisation: Organisation, program_admin: Person
) -> None:
    client = client_for(program_admin)
    answer = client.post(URL, bot_form(app_id=APP_ID.upper()))
    assert answer.status_code == 302
    bot = TeamsBot.objects.get(organisation=organisation)
    assert bot.app_id == APP_ID
    assert bot.secret() == BOT_SECRET
    assert bot.is_connected
    with connection.cursor() as cursor:
        cursor.execute("SELECT secret_sealed FROM teams_teamsbot")
        (stored,) = cursor.fetchone()
    assert BOT_SECRET.encode() not in bytes(stored)
    page = client.get(URL)
    assert BOT_SECRET.encode() not in page.content
    assert b"A secret is set" in page.content
    audited = set(SettingsChange.objects.values_list("setting", flat=True))
    assert {"Bot app ID", "Tenant ID", "Client secret"} <= audited
    assert not SettingsChange.objects.filter(setting__contains=BOT_SECRET).exists()


def test_saving_says_honestly_that_nothing_is_checked_until_teams_writes_to_the_bot(
    microsoft: MicrosoftOnLoopback, organisation: Organisation, program_admin: Person
) -> None:
    """Nothing about an app ID and a secret can be checked from here: Teams writing to the
    bot is the first sign they are right."""
    client = client_for(program_admin)
    saved = client.post(URL, bot_form(), follow=True).content.decode()
    assert "Microsoft Teams settings saved. They are checked when Teams first writes" in saved
    assert "is connected" not in saved
    status = saved.split('id="teams-status"')[1].split("</div>")[0]
    assert "not checked yet" in status and "Connected" not in status

    post(microsoft, activity(microsoft, "installationUpdate", action="add"))

    status = client.get(URL).content.decode().split('id="teams-status"')[1].split("</div>")[0]
    assert "Connected</strong> since" in status and "not checked yet" not in status


def test_ids_that_are_not_azure_ids_get_a_clear_message(program_admin: Person) -> None:
    answer = client_for(program_admin).post(URL, bot_form(app_id="my bot", client_secret=""))
    assert answer.status_code == 400
    assert b"32 hexadecimal digits" in answer.content
    assert b"Enter the bot&#x27;s client secret." in answer.content
    assert not TeamsBot.objects.exists()


def test_a_secret_typed_with_a_wrong_id_is_not_shown_back_and_the_page_says_so(
    program_admin: Person,
) -> None:
    answer = client_for(program_admin).post(URL, bot_form(tenant_id="my tenant"))
    page = answer.content.decode()
    assert BOT_SECRET not in page
    errors = page.split('id="id_client_secret_error"')[1].split("</div>")[0]
    assert "For your safety this was not kept: paste it again." in errors


def test_the_same_bot_cannot_be_connected_to_two_organisations(
    organisation: Organisation, program_admin: Person, stranger: Person
) -> None:
    assert client_for(program_admin).post(URL, bot_form()).status_code == 302
    answer = client_for(stranger).post(URL, bot_form())
    assert answer.status_code == 400
    assert b"already connected to another organisation" in answer.content


def test_the_app_package_holds_a_manifest_for_the_bot_and_two_icons(
    organisation: Organisation, program_admin: Person
) -> None:
    client = client_for(program_admin)
    client.post(URL, bot_form())
    answer = client.get(reverse("teams_package"))
    assert answer.status_code == 200
    assert answer["Content-Type"] == "application/zip"
    assert "attachment" in answer["Content-Disposition"]
    package = zipfile.ZipFile(io.BytesIO(answer.content))
    assert sorted(package.namelist()) == ["color.png", "manifest.json", "outline.png"]
    manifest = json.loads(package.read("manifest.json"))
    assert manifest["id"] == APP_ID
    assert manifest["bots"][0]["botId"] == APP_ID
    assert manifest["bots"][0]["scopes"] == ["personal"]
    assert manifest["icons"] == {"color": "color.png", "outline": "outline.png"}
    for name, size in [("color.png", 192), ("outline.png", 32)]:
        image = package.read(name)
        assert image.startswith(b"\x89PNG\r\n\x1a\n")
        assert int.from_bytes(image[16:20]) == size
        assert int.from_bytes(image[20:24]) == size
    assert BOT_SECRET not in package.read("manifest.json").decode()


def test_there_is_no_package_before_a_bot_is_set_up(program_admin: Person) -> None:
    assert client_for(program_admin).get(reverse("teams_package")).status_code == 404


def test_disconnecting_forgets_the_secret_and_where_people_are(
    microsoft: MicrosoftOnLoopback, bot: TeamsBot, program_admin: Person
) -> None:
    post(microsoft, activity(microsoft, "installationUpdate", action="add"))
    assert Conversation.objects.filter(bot=bot).exists()
    client = client_for(program_admin)

    assert client.post(reverse("teams_disconnect")).status_code == 302

    bot.refresh_from_db()
    assert not bot.is_connected
    assert bot.secret() is None
    assert not Conversation.objects.filter(bot=bot).exists()
    assert b"Disconnected" in client.get(URL).content
    # Teams itself is refused from now on.
    assert post(microsoft, activity(microsoft, "message", text="this week")).status_code == 401
    # Saving the secret again connects it again.
    assert client.post(URL, bot_form()).status_code == 302
    bot.refresh_from_db()
    assert bot.is_connected


def test_refused_credentials_are_shown_on_the_settings_page(
    bot: TeamsBot, program_admin: Person
) -> None:
    from django.utils import timezone

    TeamsBot.objects.filter(pk=bot.pk).update(credentials_refused_at=timezone.now())
    page = client_for(program_admin).get(URL)
    assert b"Microsoft refused the bot's credentials" in page.content


def install(microsoft: MicrosoftOnLoopback, number: int, action: str = "add") -> None:
    """Teams user number `number` adds (or removes) the app in their personal chat."""
    user_id = f"29:u-{number}"
    aad_object_id = f"a1b2c3d4-0000-4000-8000-{number:012d}"
    answer = post(
        microsoft,
        activity(microsoft, "installationUpdate", action=action, user_id=user_id)
        | {"from": {"id": user_id, "aadObjectId": aad_object_id}},
    )
    assert answer.status_code == 200


def chats_paragraph(client: Client) -> str:
    page = client.get(URL).content.decode()
    start = page.index('<p id="teams-chats">')
    return page[start : page.index("</p>", start)]


def test_the_settings_page_says_the_same_about_nobody_one_person_and_four(
    microsoft: MicrosoftOnLoopback, bot: TeamsBot, program_admin: Person
) -> None:
    """An admin who watched an exact count go from 4 to 5 while a colleague tried the app
    would learn that colleague uses Teams: below five people, adding or removing the app
    changes nothing on the page."""
    client = client_for(program_admin)
    install(microsoft, 1, "remove")  # someone writes to the bot but has not added it
    nobody = chats_paragraph(client)
    assert "The app is in the Teams chats of fewer than 5 people." in nobody
    for number in range(1, 5):
        install(microsoft, number)
        assert chats_paragraph(client) == nobody
    for number in range(1, 5):
        install(microsoft, number, "remove")
        assert chats_paragraph(client) == nobody


def test_the_settings_page_says_five_people_or_more_without_the_number(
    microsoft: MicrosoftOnLoopback, bot: TeamsBot, program_admin: Person
) -> None:
    client = client_for(program_admin)
    for number in range(1, 7):
        install(microsoft, number)
    page = chats_paragraph(client)
    assert "The app is in the Teams chats of 5 people or more." in page
    assert "6" not in page
    assert "removed" not in page

    for number in range(1, 7):
        install(microsoft, number, "remove")
    page = chats_paragraph(client)
    assert "The app is in the Teams chats of fewer than 5 people." in page
    assert "5 people or more removed it; nothing is sent to them" in page
    assert "6" not in page


def test_the_settings_page_says_only_whether_teams_wrote_this_week(
    microsoft: MicrosoftOnLoopback, bot: TeamsBot, program_admin: Person, clock: Clock
) -> None:
    """With one person using the bot, the minute Teams last wrote would be when they
    checked in: the page says no more than "in the last seven days"."""
    post(microsoft, activity(microsoft, "installationUpdate", action="add"))
    client = client_for(program_admin)
    page = client.get(URL).content.decode()
    assert "Teams wrote to the bot in the last seven days." in page
    assert "last wrote" not in page

    clock.advance(timedelta(days=8))
    page = client.get(URL).content.decode()
    assert "Teams has not written to the bot for more than seven days." in page


def test_moving_the_organisations_zone_never_tells_the_hour_teams_last_wrote(
    bot: TeamsBot, organisation: Organisation
) -> None:
    """Seven days on, a program admin reading the page in zone after zone would see the
    sentence change where the zone's midnight passes the hour Teams last wrote."""
    from datetime import UTC, datetime

    import time_machine

    zones = ("Etc/GMT+12", "America/New_York", "UTC", "Asia/Kolkata", "Pacific/Kiritimati")
    bot.last_heard_at = datetime(2030, 5, 1, 10, 0, tzinfo=UTC)
    bot.save(update_fields=["last_heard_at"])
    for now in (datetime(2030, 5, 8, 5, 0, tzinfo=UTC), datetime(2030, 5, 7, 20, 0, tzinfo=UTC)):
        said = set()
        with time_machine.travel(now, tick=False):
            for zone in zones:
                organisation.time_zone = zone
                organisation.save(update_fields=["time_zone"])
                said.add(TeamsBot.objects.get(pk=bot.pk).heard_this_week)
        assert len(said) == 1


def test_the_bot_secret_survives_rotating_the_master_key(own_key_dir: Path, bot: TeamsBot) -> None:
    bot.set_secret(BOT_SECRET)
    bot.save()
    out = io.StringIO()
    call_command("rotate_keys", stdout=out)
    django_settings.FIELD_ENCRYPTION_KEYS = keyfiles.load_or_create_master_keys(own_key_dir)

    bot.refresh_from_db()
    assert bot.secret() == BOT_SECRET
    assert bot.secret_key_id == django_settings.FIELD_ENCRYPTION_KEYS[0][0]


def test_the_settings_page_costs_the_same_connected_or_not(
    organisation: Organisation, program_admin: Person, count_queries: Any
) -> None:
    client = client_for(program_admin)
    before = count_queries(client.get, URL)
    client.post(URL, bot_form())
    after = count_queries(client.get, URL)
    assert before == after == 3


# --- another app registration ----------------------------------------------------------------


def test_another_app_registration_makes_everyone_link_again(
    microsoft: MicrosoftOnLoopback,
    bot: TeamsBot,
    participant: Person,
    program_admin: Person,
    clock: Clock,
) -> None:
    """Whoever owns the bot's app registration can have Teams send activities in any linked
    person's name. Links made through one app do not carry over to another: each person
    decides again whether to link, through the new one."""
    link_in_teams(microsoft, participant)
    chat_services.choose_destination(person=participant, destination=Destination.TEAMS)
    made = commit_weekly(participant)

    saved = client_for(program_admin).post(
        URL, bot_form(app_id=OTHER_APP_ID, client_secret="another-secret"), follow=True
    )

    page = saved.content.decode()
    assert "Microsoft Teams settings saved; people linked before link again" in page
    # What Teams said of the old app says nothing of the new one.
    assert "not checked yet" in page.split('id="teams-status"')[1].split("</div>")[0]
    assert not ChatLink.objects.filter(person=participant).exists()
    assert ReminderDestination.objects.get(person=participant).destination == Destination.EMAIL
    # Where the old app could reach people is not where the new one may write to them.
    assert not Conversation.objects.filter(bot=bot).exists()
    # An activity through the new app in the person's Entra name reads nothing of theirs.
    microsoft.calls.clear()
    as_them = activity(microsoft, "message", text="this week")
    token = microsoft.token_for(audience=OTHER_APP_ID)
    assert post(microsoft, as_them, token=token).status_code == 200
    shown = card_text(last_post(microsoft))
    assert "not linked to Bridgework yet" in shown
    assert str(made.pk) not in shown


def test_a_code_the_old_app_showed_links_nobody_once_the_app_is_replaced(
    microsoft: MicrosoftOnLoopback, bot: TeamsBot, participant: Person, program_admin: Person
) -> None:
    """Entered after the change, it would link the person through an app they never saw."""
    post(microsoft, activity(microsoft, "installationUpdate", action="add"))
    post(microsoft, activity(microsoft, "message", text="link"))
    code = CODE.search(card_text(last_post(microsoft)))
    assert code is not None and ChatLinkCode.objects.exists()

    client_for(program_admin).post(URL, bot_form(app_id=OTHER_APP_ID))

    entered = client_for(participant).post(
        reverse("chat_confirm_link"), {"code": code.group(1)}, follow=True
    )
    assert "That code is not right or has expired." in entered.content.decode()
    assert not ChatLink.objects.filter(person=participant).exists()


def test_another_tenant_makes_everyone_link_again_even_when_changed_back(
    microsoft: MicrosoftOnLoopback, bot: TeamsBot, participant: Person, program_admin: Person
) -> None:
    link_in_teams(microsoft, participant)
    client = client_for(program_admin)

    client.post(URL, bot_form(tenant_id=OTHER_TENANT_ID, client_secret=""))
    client.post(URL, bot_form(client_secret=""))

    assert not ChatLink.objects.filter(person=participant).exists()
    assert not Conversation.objects.filter(bot=bot).exists()


def test_a_new_secret_for_the_same_app_keeps_everyone_linked(
    microsoft: MicrosoftOnLoopback, bot: TeamsBot, participant: Person, program_admin: Person
) -> None:
    """The same app registration has the same owner, whichever of its secrets we hold."""
    link_in_teams(microsoft, participant)

    saved = client_for(program_admin).post(
        URL, bot_form(client_secret="a-newer-secret"), follow=True
    )

    assert "link again" not in saved.content.decode()
    assert ChatLink.objects.confirmed().filter(person=participant).exists()
    assert Conversation.objects.filter(bot=bot, installed=True).exists()


def test_the_page_says_before_saving_that_another_app_unlinks_everyone(
    bot: TeamsBot, program_admin: Person
) -> None:
    page = client_for(program_admin).get(URL).content.decode()
    hint = page.split('id="id_app_id_helptext"')[1].split("</")[0]
    assert "Another app ID or tenant unlinks everyone" in hint
