from enhancer.engine.generators import run_to_end


def test_run_to_end_drains_the_generator_and_returns_its_value():
    pulled = []

    def count_to(n):
        for i in range(n):
            pulled.append(i)
            yield i
        return "done"

    assert run_to_end(count_to(3)) == "done"
    assert pulled == [0, 1, 2]
