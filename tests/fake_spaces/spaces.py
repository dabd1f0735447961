"""A stand-in for Hugging Face's `spaces` package: records @spaces.GPU use and, like ZeroGPU, pickles each yield."""

import functools
import inspect
import pickle

calls = []  # (function name, requested seconds) per call


def GPU(task=None, duration=None, size=None):
    def decorate(function):
        @functools.wraps(function)
        def wrapper(*args, **kwargs):
            seconds = duration(*args, **kwargs) if callable(duration) else duration
            calls.append((function.__name__, seconds))
            if inspect.isgeneratorfunction(function):
                return (pickle.loads(pickle.dumps(item)) for item in function(*args, **kwargs))
            return function(*args, **kwargs)

        return wrapper

    return decorate(task) if callable(task) else decorate
