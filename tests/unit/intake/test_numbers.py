from services.intake import numbers, rules


def test_numbers_have_the_documented_shape_and_a_valid_check_symbol():
    number = numbers.generate(2026)
    assert rules.NUMBER_PATTERN.match(number)
    assert rules.normalize_number(number) == number


def test_numbers_are_random_not_a_sequence():
    drawn = {numbers.generate(2026) for _ in range(2000)}
    assert len(drawn) == 2000
    # Every position is drawn from the whole alphabet, not counted up.
    for position in range(8, 14):
        assert len({n[position] for n in drawn}) == len(rules.ALPHABET)


def test_any_single_mistyped_symbol_is_caught():
    number = numbers.generate(2026)
    body = number[8:]
    for position in range(len(body)):
        for symbol in rules.ALPHABET:
            if symbol == body[position]:
                continue
            typo = body[:position] + symbol + body[position + 1 :]
            assert rules.normalize_number(f"RC-2026-{typo}") is None, typo


def test_numbers_read_over_the_phone_are_understood():
    number = numbers.generate(2026)
    body = number[8:].lower().replace("0", "o").replace("1", "l")
    spoken = f"rc 2026 {body[:3]} {body[3:]}"
    assert rules.normalize_number(spoken) == number


def test_what_cannot_be_a_number_is_refused():
    for text in ("", "RC-2026", "RC-2026-ABC", "hello", "RC-2026-" + "A" * 40, None, {"$ne": 1}):
        assert rules.normalize_number(text) is None
