// The report list's body filter: a select one can search by typing (Tom Select). With few bodies
// the options are all in the page; with many (data-search-url) the server sends the ones that
// match what is typed. Without script the plain select still works.
(function () {
  "use strict";
  document.querySelectorAll("select[data-searchable]").forEach((select) => {
    const url = select.dataset.searchUrl;
    const settings = {
      maxOptions: 100,
      allowEmptyOption: true,
      placeholder: select.dataset.placeholder,
      render: {
        no_results: (data, escape) => `<div class="no-results">${escape(select.dataset.noResults || "")}</div>`,
        loading: () => `<div class="spinner-border spinner-border-sm m-2" role="status"></div>`,
      },
    };
    if (url) {
      Object.assign(settings, {
        valueField: "value",
        labelField: "text",
        searchField: ["text"],  // keeps what the server sent that matches, drops "全部" while typing
        shouldLoad: (query) => query.length > 0,
        load: (query, callback) => {
          fetch(`${url}?q=${encodeURIComponent(query)}`, { headers: { Accept: "application/json" } })
            .then((response) => response.json())
            .then((json) => callback(json.results))
            .catch(() => callback());
        },
      });
    }
    new window.TomSelect(select, settings);
  });
})();
