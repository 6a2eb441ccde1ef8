"""The Landscape's gallery composition: the surface fills the frame and a few large words tell what the physics
is doing (story.py), in the Network gallery's type scale and places — what is happening top left, the one number
that matters bottom left, the piece's name top right. Functions of (view, surface) that read and draw, nothing else.
"""
from __future__ import annotations

from illumination.core.draw.colour import mix
from illumination.core.draw.typescale import BODY, DISPLAY, HERO, LABEL, SUBTITLE
from illumination.exhibits.landscape.panel import fitted
from illumination.exhibits.landscape.story import landscape_story

MARGIN_X, TOP_Y, BOTTOM_Y = 60.0, 48.0, 28.0      # design units, as the Network's gallery


def story_colour(view, key: str):
    p = view.palette
    return {"cold": p.landscape.cold, "hot": p.landscape.hot}.get(key, p.text.accent)


def draw_words(view, target) -> list:
    """The gallery's words; returns their rectangles (the legibility tests read them)."""
    stage, p, text = view.design, view.palette, view.text
    story = landscape_story(view.scene)
    colour = story_colour(view, story.colour)
    rects = []
    x, y = stage.px(MARGIN_X, TOP_Y)
    # where the stage keeps a column for the words, each line fits it (stepping down the type scale if it must)
    right = getattr(view.stage, "words_right", None)
    room = (right - stage.u(24) if right is not None and not stage.portrait else view.size[0] - stage.u(MARGIN_X)) - x

    def put(words, at, step, colour, **how):
        shown, em = fitted(view, words, step, room)
        return text.blit(target, shown, at, em, colour, **how)

    word = put(story.word, (x, y), DISPLAY, mix(colour, p.text.primary, 0.25), bold=True)
    rects.append(word)
    rects.append(put(story.line, (x, word.bottom + stage.u(6)), SUBTITLE, p.text.secondary))
    x, bottom = stage.px(MARGIN_X, stage.design[1] - BOTTOM_Y)
    detail = put(story.detail, (x, bottom), BODY, p.text.secondary, anchor="bottomleft")
    line = put(story.figure_line, (x, detail.top - stage.u(4)), SUBTITLE, p.text.secondary, anchor="bottomleft")
    figure = put(story.figure, (x, line.top), HERO, p.text.primary, anchor="bottomleft", bold=True)
    rects += [detail, line, figure]
    # the piece's name, top right, unless the stage fills that corner (the network's plane, beside the words)
    if getattr(view.stage, "words_right", None) is None or stage.portrait:
        rects.append(text.blit(target, "NEURAL ILLUMINATION", stage.px(stage.design[0] - MARGIN_X, TOP_Y),
                               stage.type(LABEL), p.text.secondary, anchor="topright", bold=True))
    return rects
