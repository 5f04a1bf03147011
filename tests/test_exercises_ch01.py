"""Tests for the chapter-1 exercise checkers: correct, wrong, stub and raising solutions."""

import re

import pytest
import torch

from instructor.exercises.ch01 import (check_gradient_inference, check_gradient_step, check_min_sum_chain,
                                   check_parabola_grad)
from ebmlib.inference import min_sum_chain


def stub(*args):
    raise NotImplementedError


def boom(*args):
    raise RuntimeError("oops")


# ---- reference solutions and typical mistakes

def grad_right(x, y):
    return 4 * y * (y**2 - x.reshape(-1, 1))


def grad_forgot_chain(x, y):
    return 2 * (y**2 - x.reshape(-1, 1))


def step_right(energy, y, step_size):
    y = y.detach().clone().requires_grad_(True)
    (g,) = torch.autograd.grad(energy(y).sum(), y)
    return (y - step_size * g).detach()


def step_wrong_sign(energy, y, step_size):
    y = y.detach().clone().requires_grad_(True)
    (g,) = torch.autograd.grad(energy(y).sum(), y)
    return (y + step_size * g).detach()


def step_in_place(energy, y, step_size):
    out = step_right(energy, y, step_size)
    y.copy_(out)
    return y


def inference_right(energy, y0, steps, step_size):
    y = y0.clone()
    for _ in range(steps):
        y = step_right(energy, y, step_size)
    return y


def inference_off_by_one(energy, y0, steps, step_size):
    y = y0.clone()
    for _ in range(steps + 1):
        y = step_right(energy, y, step_size)
    return y


def chain_right(unary, pairwise):
    return min_sum_chain(unary, pairwise)


def chain_greedy(unary, pairwise):
    states = unary.argmin(dim=1)
    e = unary[torch.arange(len(states)), states].sum()
    e = e + sum(pairwise[t, states[t], states[t + 1]] for t in range(len(states) - 1))
    return states, e


def chain_bad_backtrack(unary, pairwise):
    states, e = min_sum_chain(unary, pairwise)
    return torch.zeros_like(states), e


@pytest.mark.parametrize("check, right, wrong", [
    (check_parabola_grad, grad_right, grad_forgot_chain),
    (check_gradient_step, step_right, step_wrong_sign),
    (check_gradient_step, step_right, step_in_place),
    (check_gradient_inference, inference_right, inference_off_by_one),
    (check_min_sum_chain, chain_right, chain_greedy),
    (check_min_sum_chain, chain_right, chain_bad_backtrack),
])
def test_verdicts(check, right, wrong):
    assert check(right) == "correct" and check(right).ok
    verdict = check(wrong)
    assert verdict.startswith("incorrect: ") and not verdict.ok
    assert check(stub) == "not attempted"
    assert check(None) == "not attempted"
    assert check(boom).startswith("incorrect: your function raised RuntimeError")


def test_wrong_shapes_are_incorrect():
    assert check_parabola_grad(lambda x, y: grad_right(x, y)[:, 0]).startswith("incorrect")
    assert check_gradient_step(lambda e, y, step_size: step_right(e, y, step_size).T).startswith("incorrect")
    assert check_min_sum_chain(lambda u, p: min_sum_chain(u, p)[0]).startswith("incorrect")
    assert check_min_sum_chain(lambda u, p: (min_sum_chain(u, p)[0].float(), min_sum_chain(u, p)[1])).startswith(
        "incorrect")


def test_messages_do_not_leak_numbers():
    # verdicts say what is wrong, never the expected value (no decimal numbers in them)
    for verdict in (check_min_sum_chain(chain_greedy), check_gradient_step(step_wrong_sign),
                    check_gradient_inference(inference_off_by_one), check_parabola_grad(grad_forgot_chain)):
        assert verdict.startswith("incorrect") and not re.search(r"\d\.\d", verdict), verdict
