from mentoring.mentorships.matching import Need, Offer, Reason, batch_match, fit, rank


def offer(mentor_id, languages=("de",), **changes):
    return Offer(mentor_id=mentor_id, languages=frozenset(languages), **changes)


def need(languages=("de",), **changes):
    return Need(languages=frozenset(languages), **changes)


def test_a_shared_language_is_a_hard_rule():
    assert fit(need(["tr"]), offer(1, ["de", "ar"])) is None
    assert fit(need(["tr", "de"]), offer(1, ["de", "ar"])) is not None


def test_inactive_full_or_away_mentors_are_left_out():
    family = need()
    assert fit(family, offer(1, is_active=False)) is None
    assert fit(family, offer(1, free_places=0)) is None
    assert fit(family, offer(1, is_away=True)) is None


def test_district_age_topics_and_contact_mode_weigh_in_with_reasons():
    family = need(
        ["tr", "de"],
        district="mitte-styrum",
        age_group="1-3",
        topics=frozenset({"sleep", "kita", "money"}),
        contact_mode="phone",
    )
    result = fit(
        family,
        offer(
            7,
            ["tr", "de"],
            districts=frozenset({"mitte-styrum"}),
            age_groups=frozenset({"1-3"}),
            topics=frozenset({"sleep", "kita"}),
            contact_modes=frozenset({"phone"}),
        ),
    )
    assert result.score == 5 * 2 + 30 + 25 + 20 + 15
    assert result.reasons == (
        Reason("languages", ("de", "tr")),
        Reason("district", ("mitte-styrum",)),
        Reason("age_group", ("1-3",)),
        Reason("topics", ("kita", "sleep")),
        Reason("contact_mode", ("phone",)),
    )


def test_topic_points_are_capped_so_one_topic_list_cannot_outweigh_everything():
    many = frozenset({"a", "b", "c", "d", "e"})
    assert fit(need(topics=many), offer(1, topics=many)).score == 5 + 30


def test_ranking_puts_the_best_first_and_breaks_ties_by_free_places():
    family = need(district="ost")
    ranked = rank(family, [offer(1), offer(2, districts=frozenset({"ost"})), offer(3, free_places=3)])
    assert [f.mentor_id for f in ranked] == [2, 3, 1]


def test_batch_match_beats_the_greedy_choice():
    # Mentor 10 fits both families; mentor 20 speaks only German. Greedy takes the best pair
    # (family 1 with mentor 10, 65) and leaves family 2 (Arabic) with nobody: 65 in total.
    # The optimum gives family 1 to mentor 20 (35) and family 2 to mentor 10 (40): 75.
    families = {
        1: need(["de", "tr"], district="ost", age_group="1-3"),
        2: need(["ar"], age_group="1-3", topics=frozenset({"sleep"})),
    }
    mentors = [
        offer(
            10,
            ["de", "tr", "ar"],
            districts=frozenset({"ost"}),
            age_groups=frozenset({"1-3"}),
            topics=frozenset({"sleep"}),
            free_places=1,
        ),
        offer(20, ["de"], districts=frozenset({"ost"}), free_places=1),
    ]
    greedy_total = fit(families[1], mentors[0]).score  # family 2 then has no one left
    result = batch_match(families, mentors)
    assert {family: f.mentor_id for family, f in result.items()} == {1: 20, 2: 10}
    assert sum(f.score for f in result.values()) == 75 > greedy_total == 65


def test_batch_match_respects_capacity_and_hard_rules():
    families = {n: need(["de"]) for n in range(5)} | {99: need(["fa"])}
    mentors = [offer(1, free_places=2), offer(2, free_places=1)]
    result = batch_match(families, mentors)
    assert len(result) == 3
    assert 99 not in result
    assert [f.mentor_id for f in result.values()].count(1) == 2


def test_batch_match_with_nobody_waiting_or_no_free_places():
    assert batch_match({}, [offer(1)]) == {}
    assert batch_match({1: need()}, [offer(1, free_places=0)]) == {}
