from itertools import combinations
from math import comb, e


def combination_with_replacement_index(element, iterable):
    """Equivalent to
    ``list(combinations_with_replacement(iterable, r)).index(element)``

    The subsequences with repetition of *iterable* that are of length *r* can
    be ordered lexicographically. :func:`combination_with_replacement_index`
    computes the index of the first *element*, without computing the previous
    combinations with replacement.

        >>> combination_with_replacement_index('adf', 'abcdefg')
        20

    ``ValueError`` will be raised if the given *element* isn't one of the
    combinations with replacement of *iterable*.
    """
    element = tuple(element)
    r = len(element)
    pool = tuple(iterable)
    n = len(pool)

    occupations = [0] * n
    try:
        i = 0
        for e in element:
            i = pool.index(e, i)
            occupations[i] += 1
    except ValueError:
        raise ValueError(
            'element is not a combination with replacement of iterable'
        )

    index = 0
    cumulative_sum = 0
    for k in range(1, n):
        cumulative_sum += occupations[k - 1]
        j = (r - cumulative_sum) + (n - k) - 1
        i = n - k
        if i < j:
            index += comb(j, i)

    return index
