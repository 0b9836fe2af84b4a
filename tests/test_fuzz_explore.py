"""Property-based requests to the matrix, map, export and first page: never a 5xx.

The same strategies as test_fuzz_api.py (every search parameter, unknown and repeated
ones, any text, far-out numbers), plus the views' own parameters (rows, cols, limit,
format, group). Schemathesis covers their published schemas in test_fuzz_api.py.
"""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from test_fuzz_api import FUZZ, any_text, assert_api_answer, assert_page_answer, fuzz_app, query, values  # noqa: F401

from index_store import FACETS

view_names = st.sampled_from(["rows", "cols", "limit", "format", "group", "share", "list_page"])
view_values = st.one_of(
    values, st.sampled_from([*FACETS, "all", "0", "15", "csv", "json", "ndjson", "organization", "row", "col", "2"])
)
view_query = st.lists(st.one_of(st.tuples(view_names, view_values), st.tuples(st.sampled_from(["q"]), any_text))).flatmap(
    lambda extra: query.map(lambda base: base + extra)
)


@FUZZ
@given(params=view_query)
def test_view_apis_never_fail(fuzz_app, params):  # noqa: F811
    with fuzz_app.test_client() as client:
        matrix = client.get("/api/matrix", query_string=params)
        if matrix.status_code == 200 and matrix.mimetype == "text/csv":  # format=csv: the matrix itself
            assert matrix.get_data(as_text=True).startswith("\ufeff")
        else:
            assert_api_answer(matrix)
        assert_api_answer(client.get("/api/map", query_string=params))
        response = client.get("/api/export", query_string=params)
        assert response.status_code < 500
        if response.status_code != 200:
            assert_api_answer(response)
        else:
            response.get_data()  # the whole stream, so an error while streaming shows here


@FUZZ
@given(params=view_query)
def test_view_pages_never_fail(fuzz_app, params):  # noqa: F811
    with fuzz_app.test_client() as client:
        for path in ("/matrix", "/map"):
            assert_page_answer(client.get(path, query_string=params))
