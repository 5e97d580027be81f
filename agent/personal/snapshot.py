"""The interest snapshot a person is shown: the top values of each attribute family in one view
of their interest distribution, with the prior and the change since an earlier snapshot."""

from __future__ import annotations

from agent.results import InterestShare, InterestSnapshot
from retrieval.attributes import AttributeSpace
from retrieval.interest import InterestProfile

SHOWN_PER_FAMILY = 4


def interest_snapshot(user_id: str | None, profile: InterestProfile, space: AttributeSpace,
                      scene: str | None = None, before: InterestSnapshot | None = None) -> InterestSnapshot:
    view = profile.view(scene)
    mean = view.mean(space)
    was = {(a.family, a.value): a.share for a in before.attributes} if before else {}
    shares = []
    for family, cols in space.family_slices.items():
        for c in sorted(cols, key=lambda c: -mean[c])[:SHOWN_PER_FAMILY]:
            a = space.attributes[c]
            shares.append(InterestShare(family=family, value=a.value, share=round(float(mean[c]), 4),
                                        prior=round(float(profile.prior[c]), 4),
                                        before=was.get((family, a.value))))
    return InterestSnapshot(user_id=user_id, scene=scene, scene_view=bool(scene and scene in profile.views),
                            evidence=round(view.evidence, 2), attributes=shares)
