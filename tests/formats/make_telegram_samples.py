"""Write the Telegram Desktop samples of this folder exactly as Telegram Desktop's JSON writer lays them out.

``python tests/formats/make_telegram_samples.py`` rewrites the .json files of tests/data/telegram-desktop/.
See PROVENANCE.md there for the source each rule below is taken from (telegramdesktop/tdesktop,
Telegram/SourceFiles/export/output/export_output_json.cpp, commit 929032d598f7).
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parents[1] / "data" / "telegram-desktop"
ABOUT_TELEGRAM = (
    "Here is the data you requested. Remember: Telegram is ad free, it doesn't use your data for ad targeting "
    "and doesn't sell it to others. Telegram only keeps the information it needs to function as a secure and "
    "feature-rich cloud service.\n\nCheck out Settings > Privacy & Security on Telegram's mobile apps for the "
    "relevant settings.")
ABOUT_CHATS = "This page lists all chats from this export."
ABOUT_LEFT = (
    "Below are the supergroups and channels from this export that you've left or where you were banned.\n\n"
    "Note that when you leave a channel or supergroup you've created, you have the option to either delete it, "
    "or simply leave (in case you want to rejoin later, or keep the community alive despite not being a member).")
ABOUT_CONTACTS = (
    "If you allow access, your contacts are continuously synced with Telegram. Thanks to this, you can easily "
    "switch to Telegram and immediately connect with friends across all your devices. We use data about your "
    "contacts to let you know when they join Telegram, and to display them by the name you set for them in your "
    "phone.\n\nYou can disable contact syncing or delete your stored contacts in Settings > Privacy & Security "
    "on Telegram's mobile apps.")
NO_FILE = "(File not included. Change data exporting settings to download.)"
# The exporting computer's zone: SerializeDate writes QDateTime's local time without a zone.
LOCAL = timezone(timedelta(hours=3))


def dates(unix: int, *, raw: bool = True, prefix: str = "date") -> dict[str, Any]:
    """``date`` (local time, no zone) and, in exports since Desktop 3.x, ``date_unixtime`` (a string)."""
    out = {prefix: datetime.fromtimestamp(unix, LOCAL).strftime("%Y-%m-%dT%H:%M:%S")}
    if raw:
        out[f"{prefix}_unixtime"] = str(unix)
    return out


def entities(parts: list[Any]) -> tuple[Any, list[dict[str, Any]]]:
    """``text`` and ``text_entities`` from parts (a string is plain text; a tuple is (type, text[, key,
    value])): SerializeText writes one plain part as a string, else a list with plain parts as strings;
    ``text_entities`` lists every part as an object."""
    objs = []
    for p in parts:
        if isinstance(p, str):
            objs.append({"type": "plain", "text": p})
        else:
            obj = {"type": p[0], "text": p[1]}
            if len(p) > 2:
                obj[p[2]] = p[3]
            objs.append(obj)
    if not parts:
        return "", []
    if len(parts) == 1 and isinstance(parts[0], str):
        return parts[0], objs
    text = [p if isinstance(p, str) else o for p, o in zip(parts, objs, strict=True)]
    return text, objs


def message(mid: int, unix: int, sender: tuple[str | None, str] | None, parts: list[Any], *, raw: bool = True,
            with_entities: bool = True, **extra: Any) -> dict[str, Any]:
    """A message in SerializeMessage's key order: id, type, date(s), edited, from/from_id, author,
    forwarded_from, reply_to_message_id, media, text, text_entities, reactions."""
    msg: dict[str, Any] = {"id": mid, "type": "message", **dates(unix, raw=raw)}
    if "edited" in extra:
        msg.update(dates(extra.pop("edited"), raw=raw, prefix="edited"))
    if sender is not None:
        msg["from"], msg["from_id"] = sender
    for key in ("author", "forwarded_from", "saved_from", "reply_to_message_id", "reply_to_peer_id", "via_bot",
                "photo", "photo_file_size", "width", "height", "file", "media_type", "mime_type"):
        if key in extra:
            msg[key] = extra.pop(key)
    text, objs = entities(parts)
    msg["text"] = text
    if with_entities:
        msg["text_entities"] = objs
    msg.update(extra)
    return msg


def service(mid: int, unix: int, actor: tuple[str | None, str], action: str, *, raw: bool = True,
            with_entities: bool = True, **extra: Any) -> dict[str, Any]:
    msg: dict[str, Any] = {"id": mid, "type": "service", **dates(unix, raw=raw), "actor": actor[0],
                           "actor_id": actor[1], "action": action, **extra, "text": ""}
    if with_entities:
        msg["text_entities"] = []
    return msg


def dump(obj: Any) -> bytes:
    """JsonWriter's layout: one space of indent per level, ``"key": value``, strings as written (UTF-8),
    U+2028 and U+2029 escaped, and a control character but \\n, \\r, \\t written as ``\\xHH`` (which JSON
    has not: a trap kept on purpose)."""
    text = json.dumps(obj, ensure_ascii=False, indent=1)
    text = text.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")
    for code in range(32):
        if chr(code) not in "\n\r\t":
            text = text.replace(f"\\u{code:04x}", f"\\x{code:02X}")
    return text.encode("utf-8")


CHANNEL = ("Campaign Watch", "channel1487851422")
ANNA = ("Anna Petrova", "user352475318")
BORIS = ("Boris", "user1482137994")
MILA = ("Mila K", "user1927162607")
ME = ("Dana Researcher", "user5001001001")
T0 = 1673776200  # 2023-01-15 09:50 UTC


def channel_export() -> dict[str, Any]:
    """*Export chat history* of a public channel (Desktop 4.x: date_unixtime, text_entities, reactions)."""
    msgs = [
        service(1, T0, CHANNEL, "create_channel", title="Campaign Watch"),
        message(2, T0 + 60, CHANNEL, ["Tracking the campaign: ", ("hashtag", "#YesAllWomen"), " and ",
                                      ("hashtag", "#NotAllMen"), " across platforms."],
                reactions=[{"type": "emoji", "count": 41, "emoji": "👍"}, {"type": "emoji", "count": 3, "emoji": "🔥"}]),
        message(3, T0 + 3600, CHANNEL, ["Thread of the day: ", ("text_link", "read it here", "href",
                                                                 "https://example.org/thread?id=7"),
                                        " via ", ("mention", "@womensvoices"), " ", ("hashtag", "#yesallwomen")],
                edited=T0 + 4000, author="Editor"),
        message(4, T0 + 7200, CHANNEL, [("hashtag", "#YesAllWomen"), " backlash figures: ",
                                        ("link", "https://stats.example.net/backlash")],
                forwarded_from="Data Desk", photo=NO_FILE, photo_file_size=84211, width=1280, height=720),
        service(5, T0 + 7300, CHANNEL, "pin_message", message_id=2),
        message(6, T0 + 9000, CHANNEL, ["Plain update with no entities at all."]),
        # A vertical tab in a text: Telegram Desktop writes it \x0B (see dump()).
        message(7, T0 + 9600, CHANNEL, ["Column one\x0bcolumn two ", ("hashtag", "#МыВместе")],
                reactions=[{"type": "custom_emoji", "count": 2, "document_id": "5368324170671202286"}]),
        message(8, T0 + 10800, CHANNEL, ["Correction to ", ("text_link", "the post above", "href",
                                                            "https://t.me/campaignwatch/3"),
                                         ": the tag is ", ("hashtag", "#YesAllWomen"), ", not ",
                                         ("cashtag", "$YAW"), "."], reply_to_message_id=3),
        message(9, T0 + 11000, CHANNEL, [], photo=NO_FILE, photo_file_size=120002, width=800, height=600),
        message(10, T0 + 12000, CHANNEL, ["Line\u2028separator kept ", ("hashtag", "#Backlash")]),
    ]
    return {"name": CHANNEL[0], "type": "public_channel", "id": 1487851422, "messages": msgs}


def old_group_export() -> dict[str, Any]:
    """*Export chat history* of a group from an older Desktop (2.x: no date_unixtime, no text_entities,
    no reactions): ``date`` alone, in the exporting computer's zone."""
    kw = {"raw": False, "with_entities": False}
    msgs = [
        service(1, T0, ANNA, "create_group", title="Backlash readers", members=["Boris", "Mila K"], **kw),
        message(2, T0 + 120, ANNA, ["Anyone saw the ", ("hashtag", "#NotAllMen"), " replies today?"], **kw),
        message(3, T0 + 240, BORIS, ["Yes, ", ("mention", "@pubkraal"), " collected them: ",
                                     ("link", "example.com/notallmen")], reply_to_message_id=2, **kw),
        message(4, T0 + 300, MILA, [("mention_name", "Boris", "user_id", 1482137994),
                                    " thanks, adding them to the sheet"], reply_to_message_id=3, **kw),
        service(5, T0 + 400, BORIS, "invite_members", members=["Anna Petrova"], **kw),
        message(6, T0 + 500, ANNA, ["Counting only what the tags mark, then."], **kw),
        message(7, T0 + 620, BORIS, ["Forwarding the original call: ", ("hashtag", "#YesAllWomen")],
                forwarded_from=None, **kw),
    ]
    return {"name": "Backlash readers", "type": "private_group", "id": 4001234567, "messages": msgs}


def account_export() -> dict[str, Any]:
    """*Export Telegram data* of a whole account: personal info, contacts, chats (a personal chat, a
    supergroup with reactions naming who reacted, saved messages without a name) and left chats."""
    group = {"name": "Campaign researchers", "type": "private_supergroup", "id": 1698765432, "messages": [
        service(1, T0, ME, "create_group", title="Campaign researchers", members=["Anna Petrova", "Mila K"]),
        message(2, T0 + 60, ME, ["Kick-off: we compare ", ("hashtag", "#YesAllWomen"), " on Telegram and ",
                                 ("bold", "Bluesky"), "."],
                reactions=[{"type": "emoji", "count": 2, "emoji": "❤", "recent": [
                    {"from": ANNA[0], "from_id": ANNA[1], **dates(T0 + 70)},
                    {"from": MILA[0], "from_id": MILA[1], **dates(T0 + 90)}]}]),
        message(3, T0 + 180, ANNA, ["Annotated sample uploaded ", ("hashtag", "#YesAllWomen"), " ",
                                    ("hashtag", "#annotation"), " thoroughness matters"], reply_to_message_id=2,
                reactions=[{"type": "emoji", "count": 1, "emoji": "👍", "recent": [
                    {"from": MILA[0], "from_id": MILA[1], **dates(T0 + 200)}]}]),
        message(4, T0 + 240, MILA, ["Great, ", ("mention_name", "Anna Petrova", "user_id", 352475318),
                                    " I will review tomorrow"], reply_to_message_id=3,
                reactions=[{"type": "emoji", "count": 1, "emoji": "🙏", "recent": [
                    {"from": ANNA[0], "from_id": ANNA[1], **dates(T0 + 260)}]}]),
        message(5, T0 + 300, ANNA, ["Replying to the channel post ", ("hashtag", "#Backlash")],
                reply_to_message_id=3, reply_to_peer_id="channel1487851422"),
        service(6, T0 + 360, MILA, "join_group_by_link", inviter=ME[0]),
    ]}
    personal = {"name": ANNA[0], "type": "personal_chat", "id": 352475318, "messages": [
        message(1, T0 - 86400, ANNA, ["Can you share the ", ("hashtag", "#YesAllWomen"), " dataset?"]),
        message(2, T0 - 86000, ME, ["Sure: ", ("link", "https://data.example.org/yaw.zip")]),
    ]}
    saved = {"type": "saved_messages", "id": 5001001001, "messages": [
        message(1, T0 - 3600, ME, ["Note to self: check ", ("hashtag", "#NotAllMen"), " counts"],
                saved_from="Data Desk"),
    ]}
    left = {"name": "Open debate", "type": "public_supergroup", "id": 1555000111, "messages": [
        message(9001, T0 - 7200, BORIS, ["Leaving this here ", ("hashtag", "#NotAllMen")]),
    ]}
    return {
        "about": ABOUT_TELEGRAM,
        "personal_information": {"user_id": 5001001001, "first_name": "Dana", "last_name": "Researcher",
                                 "phone_number": "+44 7700 900123", "username": "@dana_research",
                                 "bio": "Studying online campaigns"},
        "profile_pictures": [{**dates(T0 - 90 * 86400), "photo": "profile_pictures/photo_1@15-10-2022_10-00-00.jpg"}],
        "contacts": {"about": ABOUT_CONTACTS, "list": [
            {"user_id": 352475318, "first_name": "Anna", "last_name": "Petrova", "phone_number": "+44 7700 900456",
             **dates(T0 - 400 * 86400)}]},
        "frequent_contacts": {"about": "This rating shows which people you are likelier to message frequently.",
                              "list": [{"id": 352475318, "category": "people", "type": "user", "name": "Anna Petrova",
                                        "rating": 0.81}]},
        "chats": {"about": ABOUT_CHATS, "list": [personal, group, saved]},
        "left_chats": {"about": ABOUT_LEFT, "list": [left]},
        "other_data": {"about": "This is a collection of additional data.", "changes_log": []},
    }


def main() -> None:
    (HERE / "channel_result.json").write_bytes(dump(channel_export()))
    (HERE / "group_result_desktop2.json").write_bytes(dump(old_group_export()))
    (HERE / "account_result.json").write_bytes(dump(account_export()))


if __name__ == "__main__":
    assert datetime.fromtimestamp(T0, UTC).year == 2023
    main()
