"""Build the small X account archive in tests/data/x-archive/ (folder and zip).

Real parts (copied from /work/shared/fixtures/twitter-archive: deleted-tweets.js, community-tweet.js,
note-tweet.js) plus a hand-written account.js, profile.js, tweets.js and tweets-part1.js that follow
the real layout (``window.YTD.<name>.partN = [ ... ]``, ids and counts as strings, " : " separators).
The hand-written account and tweets are invented. Run: ``python tests/formats/make_archive.py``.
"""

from __future__ import annotations

import json
import shutil
import zipfile
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
OUT = HERE.parent / "data" / "x-archive"
SHARED = HERE.parents[2] / "shared" / "fixtures" / "twitter-archive"
ACCOUNT_ID = "1590000000000000001"


def js(name: str, items: list[Any]) -> str:
    body = json.dumps(items, indent=2, separators=(",", " : "), ensure_ascii=False)
    return f"window.YTD.{name}.part0 = {body}" if not name.endswith("part1") else f"window.YTD.{name[:-6]}.part1 = {body}"


def tweet(id_: str, text: str, created: str, *, tags: list[str] = (), mentions: list[tuple[str, str]] = (),
          urls: list[str] = (), likes: str = "0", rts: str = "0", reply: tuple[str, str, str] | None = None,
          edit_info: dict[str, Any] | None = None) -> dict[str, Any]:
    tw: dict[str, Any] = {
        "edit_info": edit_info or {"initial": {"editTweetIds": [id_], "editableUntil": "2014-05-24T11:00:00.000Z",
                                               "editsRemaining": "5", "isEditEligible": False}},
        "retweeted": False,
        "source": '<a href="https://mobile.twitter.com" rel="nofollow">Twitter Web App</a>',
        "entities": {
            "hashtags": [{"text": t, "indices": ["0", str(len(t) + 1)]} for t in tags],
            "symbols": [],
            "user_mentions": [{"name": n.title(), "screen_name": n, "indices": ["0", "9"], "id_str": i, "id": i}
                              for n, i in mentions],
            "urls": [{"url": "https://t.co/abc" + str(k), "expanded_url": u, "display_url": u.split("//")[1][:20],
                      "indices": ["10", "33"]} for k, u in enumerate(urls)],
        },
        "display_text_range": ["0", str(len(text))],
        "favorite_count": likes,
        "id_str": id_,
        "truncated": False,
        "retweet_count": rts,
        "id": id_,
        "created_at": created,
        "favorited": False,
        "full_text": text,
        "lang": "en",
    }
    if reply:
        tw.update({"in_reply_to_status_id_str": reply[0], "in_reply_to_status_id": reply[0],
                   "in_reply_to_user_id": reply[1], "in_reply_to_user_id_str": reply[1],
                   "in_reply_to_screen_name": reply[2]})
    return {"tweet": tw}


def build() -> None:
    shutil.rmtree(OUT, ignore_errors=True)
    data = OUT / "folder" / "data"
    data.mkdir(parents=True)
    account = [{"account": {"email": "owner@example.org", "createdVia": "web", "username": "ts_example",
                            "accountId": ACCOUNT_ID, "createdAt": "2012-03-01T09:00:00.000Z",
                            "accountDisplayName": "Example Archive Owner"}}]
    profile = [{"profile": {"description": {"bio": "Invented account for tagscope tests.", "website": "",
                                            "location": "Nowhere"}, "avatarMediaUrl": ""}}]
    long_text = ("Every woman I know has a story about being followed home, grabbed, or threatened. Every one. "
                 "That is the point of #YesAllWomen, and it is why the replies telling us #NotAllMen miss it "
                 "entirely. Read the thread, then read it again.")
    part0 = [
        tweet("1600000000000000001", long_text, "Sat May 24 10:00:00 +0000 2014",
              tags=["YesAllWomen", "NotAllMen"], likes="12", rts="3"),
        tweet("1600000000000000002", "@other_voice I hear you. #YesAllWomen", "Sat May 24 10:05:00 +0000 2014",
              tags=["YesAllWomen"], mentions=[("other_voice", "1590000000000000002")],
              reply=("1600000000000000000", "1590000000000000002", "other_voice")),
        tweet("1600000000000000003", "RT @campaign_voice: Women are telling their stories under #YesAllWomen and the "
              "numbers are staggering: over a million posts in four d\u2026", "Sun May 25 08:00:00 +0000 2014",
              tags=["YesAllWomen"], mentions=[("campaign_voice", "1590000000000000003")]),
        tweet("1600000000000000004", "The report is out: https://t.co/abc0 #yesallwomen",
              "Sun May 25 09:30:00 +0000 2014", tags=["yesallwomen"], urls=["https://www.example.org/report"],
              likes="4"),
    ]
    edited = ["1600000000000000005", "1600000000000000006"]
    part1 = [
        tweet(edited[0], "Frist draft of a thought", "Mon May 26 12:00:00 +0000 2014",
              edit_info={"initial": {"editTweetIds": edited, "editableUntil": "2014-05-26T13:00:00.000Z",
                                     "editsRemaining": "4", "isEditEligible": True}}),
        tweet(edited[1], "First draft of a thought", "Mon May 26 12:03:00 +0000 2014",
              edit_info={"edit": {"initialTweetId": edited[0],
                                  "editControlInitial": {"editTweetIds": edited,
                                                         "editableUntil": "2014-05-26T13:00:00.000Z",
                                                         "editsRemaining": "4", "isEditEligible": True}}}),
    ]
    (data / "account.js").write_text(js("account", account), encoding="utf-8")
    (data / "profile.js").write_text(js("profile", profile), encoding="utf-8")
    (data / "tweets.js").write_text(js("tweets", part0), encoding="utf-8")
    (data / "tweets-part1.js").write_text(js("tweets_part1", part1), encoding="utf-8")
    for real, name in (("milahu_deleted-tweets.js", "deleted-tweets.js"),
                       ("milahu_community-tweet.js", "community-tweet.js"),
                       ("milahu_note-tweet_empty.js", "note-tweet.js")):
        shutil.copyfile(SHARED / real, data / name)
    (OUT / "folder" / "Your archive.html").write_text("<html><body>Your archive</body></html>\n", encoding="utf-8")
    with zipfile.ZipFile(OUT / "twitter-2026-03-06-example.zip", "w", zipfile.ZIP_DEFLATED) as zf:
        for path in sorted((OUT / "folder").rglob("*")):
            if path.is_file():
                info = zipfile.ZipInfo(str(path.relative_to(OUT / "folder")), date_time=(2026, 3, 6, 0, 0, 0))
                info.compress_type = zipfile.ZIP_DEFLATED
                zf.writestr(info, path.read_bytes())


if __name__ == "__main__":
    build()
