// The district map: streets, communities and grids from /api/v1/territory/geojson, a grid's
// people from /api/v1/territory/units/{code}, point lookup through /api/v1/locate, and (for roles
// holding pii.reveal) a person's full phone through POST /api/v1/pii/reveal.
// Plain browser JavaScript, no build step; Leaflet is self-hosted under /static/vendor/leaflet.
'use strict';

(() => {
  const config = JSON.parse(document.getElementById('onegrid-config').textContent);
  const $ = (id) => document.getElementById(id);

  // ---- strings and requests -------------------------------------------------------------

  function t(key, params = {}) {
    const text = config.strings[key] ?? key;
    return text.replace(/\{(\w+)\}/g, (_, name) => String(params[name] ?? ''));
  }

  // "{n} grids", or the key's _one form ("{n} grid") when n is 1.
  function counted(key, n) {
    return t(n === 1 ? `${key}_one` : key, { n });
  }

  function apiUrl(path, params = {}) {
    const url = new URL(config.api + path, window.location.origin);
    url.searchParams.set('lang', config.lang);
    for (const [name, value] of Object.entries(params)) url.searchParams.set(name, value);
    return url;
  }

  // The body of a JSON answer; otherwise throws an Error in the page language (with .status
  // when the server answered).
  async function requestJson(url, init = {}) {
    let response;
    try {
      response = await fetch(url, {
        ...init, headers: { Accept: 'application/json', ...init.headers },
      });
    } catch {
      throw new Error(t('error_network'));
    }
    if (!response.ok) {
      const error = new Error(await errorMessage(response));
      error.status = response.status;
      throw error;
    }
    return response.json();
  }

  function fetchJson(url) {
    return requestJson(url);
  }

  // A POST with the session's CSRF token, which the server wants of every cookie-signed change.
  function postJson(url, body) {
    return requestJson(url, {
      method: 'POST',
      credentials: 'same-origin',
      headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': config.csrfToken ?? '' },
      body: JSON.stringify(body),
    });
  }

  async function errorMessage(response) {
    try {
      const body = await response.json();
      if (body?.error?.message) return body.error.message;
      if (typeof body?.detail === 'string') return body.detail;
    } catch {
      // not JSON: fall through to the status
    }
    return t('error_http', { status: response.status });
  }

  // ---- small DOM helpers (data always goes in as text, never as HTML) ---------------------

  function el(tag, attrs = {}, ...children) {
    const node = document.createElement(tag);
    for (const [name, value] of Object.entries(attrs)) node.setAttribute(name, value);
    for (const child of children.flat()) {
      if (child !== null && child !== undefined) node.append(child);
    }
    return node;
  }

  function escapeHtml(text) {
    const span = document.createElement('span');
    span.textContent = text;
    return span.innerHTML;
  }

  function showStatus(text, { error = false, retry = null } = {}) {
    const box = $('map-status');
    box.replaceChildren(text);
    box.classList.toggle('error', error);
    box.setAttribute('role', error ? 'alert' : 'status');
    if (retry) {
      const button = el('button', { type: 'button' }, t('retry'));
      button.addEventListener('click', retry);
      box.append(' ', button);
    }
    box.hidden = false;
  }

  function hideStatus() {
    $('map-status').hidden = true;
  }

  // ---- the map and its styles -------------------------------------------------------------

  const PALETTE = [
    '#74a9e0', '#f2b27a', '#86c99a', '#c3a1e0', '#ef9aa6', '#6fc3c0',
    '#e3c86b', '#a4aee6', '#d4ab85', '#9cc77d', '#e59bd0', '#8fb8c9',
  ];
  const STYLES = {
    street: { color: '#1d2b3a', weight: 3, opacity: 0.9, fill: false, interactive: false },
    community: {
      color: '#3d5a80', weight: 1.6, opacity: 0.85, dashArray: '6 4', fill: false,
      interactive: false,
    },
    grid: { color: '#52677d', weight: 0.7, opacity: 0.9, fillOpacity: 0.32 },
    hover: { color: '#e8590c', weight: 2.5, fillOpacity: 0.5 },
    selected: { color: '#c92a2a', weight: 3, fillColor: '#ff8787', fillOpacity: 0.45 },
  };

  const map = L.map('map', { zoomControl: true, minZoom: 3, maxZoom: 19 });
  window.onegridMap = map;
  map.attributionControl.setPrefix('Leaflet');
  map.setView([35.0, 105.0], 4);
  // Panes fix the drawing order whatever the layer control does: grids under the outlines.
  for (const [name, zIndex] of [['grids', 410], ['communities', 420], ['streets', 430],
    ['point', 640]]) {
    map.createPane(name).style.zIndex = String(zIndex);
  }
  map.getPane('communities').style.pointerEvents = 'none';
  map.getPane('streets').style.pointerEvents = 'none';
  if (config.tileUrl) {
    L.tileLayer(config.tileUrl, { attribution: config.tileAttribution, maxZoom: 19 }).addTo(map);
  }

  const state = {
    gridLayers: new Map(), // grid code → Leaflet polygon
    streetColors: new Map(), // street code → fill colour of its grids
    selected: null,
    point: null,
    request: 0,
  };

  function streetColor(streetCode) {
    if (!state.streetColors.has(streetCode)) {
      state.streetColors.set(streetCode, PALETTE[state.streetColors.size % PALETTE.length]);
    }
    return state.streetColors.get(streetCode);
  }

  function gridStyle(feature) {
    const streetCode = feature.properties.code.slice(0, 9);
    return { ...STYLES.grid, fillColor: streetColor(streetCode) };
  }

  // ---- layers -----------------------------------------------------------------------------

  function outlineLayer(collection, pane, style, labelClass) {
    return L.geoJSON(collection, {
      pane,
      style: () => style,
      onEachFeature: (feature, layer) => {
        if (labelClass) {
          layer.bindTooltip(escapeHtml(feature.properties.name), {
            permanent: true, direction: 'center', className: labelClass,
          });
        }
      },
    });
  }

  function gridLayer(collection) {
    return L.geoJSON(collection, {
      pane: 'grids',
      style: gridStyle,
      onEachFeature: (feature, layer) => {
        state.gridLayers.set(feature.properties.code, layer);
        layer.bindTooltip(escapeHtml(feature.properties.name), { sticky: true, className: 'grid-tip' });
        layer.on({
          mouseover: () => highlight(layer, true),
          mouseout: () => highlight(layer, false),
          click: () => selectGrid(feature.properties.code),
        });
      },
    });
  }

  function highlight(layer, on) {
    if (layer === state.selected) return;
    if (on) {
      layer.setStyle(STYLES.hover);
      layer.bringToFront();
    } else {
      layer.setStyle(gridStyle(layer.feature));
    }
  }

  function addLayerControl(layers) {
    const label = (key, count) =>
      `${escapeHtml(t(key))} <span class="layer-count">(${count})</span>`;
    L.control.layers(null, {
      [label('layer_streets', layers.street.getLayers().length)]: layers.street,
      [label('layer_communities', layers.community.getLayers().length)]: layers.community,
      [label('layer_grids', layers.grid.getLayers().length)]: layers.grid,
    }, { collapsed: window.matchMedia('(max-width: 760px)').matches, position: 'topright' })
      .addTo(map);
  }

  function showCounts(collections) {
    const grids = collections.grid.features.length;
    const count = $('grid-count');
    count.dataset.count = String(grids);
    count.textContent = counted('grid_count', grids);
    $('community-count').textContent = counted('community_count', collections.community.features.length);
    $('street-count').textContent = counted('street_count', collections.street.features.length);
  }

  function showDistrict(collections) {
    const names = collections.district.features.map((f) => f.properties.name);
    $('district-name').textContent = names.join('、') || t('page_title');
    const all = Object.values(collections).flatMap((c) => c.features);
    $('demo-banner').hidden = !all.some((f) => f.properties.demo === true);
  }

  function fitDistrict(layers) {
    for (const layer of [layers.district, layers.street, layers.grid]) {
      const bounds = layer.getBounds();
      if (bounds.isValid()) {
        map.fitBounds(bounds, { padding: [24, 24], animate: false });
        map.setMaxBounds(bounds.pad(1.5));
        return;
      }
    }
  }

  async function loadLayers() {
    showStatus(t('loading'));
    const levels = ['district', 'street', 'community', 'grid'];
    let collections;
    try {
      const documents = await Promise.all(
        levels.map((level) => fetchJson(apiUrl('/territory/geojson', { level }))));
      collections = Object.fromEntries(levels.map((level, i) => [level, documents[i]]));
    } catch (error) {
      $('district-name').textContent = t('page_title');
      $('grid-count').textContent = '—';
      showStatus(t('error_layers', { detail: error.message }), { error: true, retry: reload });
      return;
    }
    drawLayers(collections);
  }

  function drawLayers(collections) {
    const layers = {
      district: L.geoJSON(collections.district),
      street: outlineLayer(collections.street, 'streets', STYLES.street, 'street-label'),
      community: outlineLayer(collections.community, 'communities', STYLES.community, null),
      grid: gridLayer(collections.grid),
    };
    for (const level of ['grid', 'community', 'street']) layers[level].addTo(map);
    addLayerControl(layers);
    showCounts(collections);
    showDistrict(collections);
    fitDistrict(layers);
    if (collections.grid.features.length === 0) {
      showStatus(t('no_data'));
    } else {
      hideStatus();
      selectFromHash();
    }
  }

  function reload() {
    window.location.reload();
  }

  // ---- the selected grid and its panel -----------------------------------------------------

  function selectFromHash() {
    const code = decodeURIComponent(window.location.hash.slice(1));
    if (state.gridLayers.has(code)) selectGrid(code);
  }

  function rememberSelection(code) {
    const hash = code ? `#${code}` : '';
    window.history.replaceState(null, '', `${window.location.pathname}${window.location.search}${hash}`);
    const link = $('lang-switch');
    link.href = `${link.getAttribute('href').split('#')[0]}${hash}`;
  }

  function markSelected(code) {
    if (state.selected) state.selected.setStyle(gridStyle(state.selected.feature));
    state.selected = state.gridLayers.get(code) ?? null;
    if (state.selected) {
      state.selected.setStyle(STYLES.selected);
      state.selected.bringToFront();
    }
  }

  async function selectGrid(code) {
    markSelected(code);
    rememberSelection(code);
    const ticket = ++state.request;
    renderPanel(el('p', { class: 'muted' }, t('panel_loading')));
    try {
      const unit = await fetchJson(apiUrl(`/territory/units/${encodeURIComponent(code)}`));
      if (ticket === state.request) renderPanel(...unitSections(unit));
    } catch (error) {
      if (ticket === state.request) {
        renderPanel(el('p', { class: 'error', role: 'alert' }, t('error_unit', { detail: error.message })));
      }
    }
  }

  function clearSelection() {
    markSelected(null);
    rememberSelection(null);
    state.request += 1;
    const panel = $('unit-panel');
    panel.replaceChildren(el('h2', {}, t('panel_title')), el('p', { class: 'muted' }, t('panel_hint')));
  }

  function renderPanel(...children) {
    const close = el('button', { type: 'button', class: 'close', title: t('close'), 'aria-label': t('close') }, '×');
    close.addEventListener('click', clearSelection);
    $('unit-panel').replaceChildren(close, ...children.filter((child) => child !== null));
  }

  function parentName(unit, level) {
    const parent = unit.parents.find((p) => p.level === level);
    return parent ? parent.name : '—';
  }

  function unitSections(unit) {
    const byRole = (role) => unit.staff.filter((s) => s.role === role);
    const community = byRole('community_staff');
    return [
      el('h2', {}, unit.name),
      el('dl', { class: 'facts' },
        fact(t('field_code'), el('code', { class: 'unit-code' }, unit.code)),
        fact(t('field_community'), parentName(unit, 'community')),
        fact(t('field_street'), parentName(unit, 'street')),
        fact(t('field_area'), t('area_value', { v: unit.area_km2 }))),
      staffSection(t('section_grid_workers'), byRole('grid_worker'), false),
      staffSection(t('section_department_staff'), byRole('department_staff'), true),
      community.length ? staffSection(t('section_community_staff'), community, false) : null,
      branchSection(unit.party_branch),
    ];
  }

  function fact(label, value) {
    return [el('dt', {}, label), el('dd', {}, value)];
  }

  function staffSection(title, people, withDepartment) {
    const items = people.map((person) => staffRow(person, withDepartment));
    return el('section', { class: 'staff' },
      el('h3', {}, title),
      items.length ? el('ul', {}, items) : el('p', { class: 'muted' }, t('none')));
  }

  function staffRow(person, withDepartment) {
    const phone = el('span', { class: 'phone' }, person.phone || t('no_phone'));
    // The phone and its button wrap together: the button never lands alone on a line.
    const contact = el('span', { class: 'contact' }, phone);
    const row = el('li', {},
      el('span', { class: 'person' }, person.name),
      withDepartment && person.department ? el('span', { class: 'department' }, person.department) : null,
      contact);
    if (config.canReveal && person.phone && person.person_id) {
      contact.append(revealButton(person, row, phone));
    }
    return row;
  }

  // ---- revealing a masked phone: for a stated purpose, audited by the server ----------------

  const PURPOSE_MIN = 4; // as POST /pii/reveal wants it (after trimming)
  let revealForms = 0;

  function revealButton(person, row, phone) {
    const button = el('button', {
      type: 'button', class: 'reveal', 'aria-expanded': 'false',
      title: t('reveal_title', { name: person.name }),
    }, t('reveal_button'));
    let form = null;
    const close = () => {
      form?.remove();
      form = null;
      button.setAttribute('aria-expanded', 'false');
      button.focus();
    };
    button.addEventListener('click', () => {
      if (form) {
        close();
        return;
      }
      form = revealForm(person, button, phone, close);
      row.append(form);
      form.querySelector('input').focus();
    });
    return button;
  }

  // The inline form asking for the purpose (not window.prompt, which kiosks and tests block).
  function revealForm(person, button, phone, close) {
    const id = `reveal-form-${++revealForms}`;
    const input = el('input', {
      id: `${id}-purpose`, class: 'reveal-purpose', name: 'purpose', type: 'text',
      maxlength: '200', autocomplete: 'off', placeholder: t('reveal_purpose_placeholder'),
    });
    const confirm = el('button', { type: 'submit', class: 'reveal-confirm' }, t('reveal_confirm'));
    const cancel = el('button', { type: 'button', class: 'reveal-cancel' }, t('reveal_cancel'));
    const message = el('p', { class: 'reveal-message', 'aria-live': 'polite' });
    const form = el('form', { id, class: 'reveal-form', novalidate: '' },
      el('label', { for: input.id }, t('reveal_purpose_label')),
      input,
      el('span', { class: 'reveal-actions' }, confirm, cancel),
      message);
    button.setAttribute('aria-expanded', 'true');
    button.setAttribute('aria-controls', id);

    const say = (text, isError) => {
      message.textContent = text;
      message.classList.toggle('error', isError);
      message.setAttribute('role', isError ? 'alert' : 'status');
    };
    cancel.addEventListener('click', close);
    form.addEventListener('keydown', (event) => {
      if (event.key !== 'Escape') return;
      event.stopPropagation(); // Escape closes this form, not the whole panel
      close();
    });
    form.addEventListener('submit', async (event) => {
      event.preventDefault();
      if (confirm.disabled) return;
      const purpose = input.value.trim();
      if ([...purpose].length < PURPOSE_MIN) {
        say(t('reveal_error_purpose', { n: PURPOSE_MIN }), true);
        input.focus();
        return;
      }
      confirm.disabled = true;
      input.readOnly = true;
      say(t('reveal_pending'), false);
      try {
        const revealed = await postJson(apiUrl('/pii/reveal'), {
          object_type: 'person', object_id: person.person_id, field: 'phone', purpose,
        });
        form.remove();
        button.remove();
        showRevealed(phone, revealed.value);
      } catch (error) {
        confirm.disabled = false;
        input.readOnly = false;
        say(revealError(error), true);
        input.focus();
      }
    });
    return form;
  }

  function revealError(error) {
    if (error.status === 422) return t('reveal_error_purpose', { n: PURPOSE_MIN });
    if ([401, 403, 404].includes(error.status)) {
      return t('reveal_error_refused', { detail: error.message });
    }
    return t('reveal_error_failed', { detail: error.message });
  }

  function showRevealed(phone, value) {
    phone.textContent = value || t('no_phone');
    phone.classList.add('revealed');
    phone.closest('li').append(el('span', { class: 'reveal-note' }, t('reveal_logged')));
  }

  function branchSection(branch) {
    const body = branch
      ? el('dl', { class: 'facts' },
        el('dt', { class: 'sr-only' }, t('section_party_branch')),
        el('dd', { class: 'branch-name' }, branch.name),
        fact(t('party_secretary'), branch.secretary || '—'),
        fact(t('party_members'), t('party_members_value', { n: branch.member_count })))
      : el('p', { class: 'muted' }, t('no_party_branch'));
    return el('section', { class: 'branch' }, el('h3', {}, t('section_party_branch')), body);
  }

  // ---- point search ------------------------------------------------------------------------

  function parsePoint(text) {
    const match = text.trim().match(/^(-?\d+(?:\.\d+)?)\s*[,，\s]\s*(-?\d+(?:\.\d+)?)$/);
    if (!match) return null;
    const [lon, lat] = [Number(match[1]), Number(match[2])];
    return Math.abs(lon) <= 180 && Math.abs(lat) <= 90 ? { lon, lat } : null;
  }

  function showPoint(found) {
    if (state.point) state.point.remove();
    state.point = L.circleMarker([found.lat, found.lon], {
      pane: 'point', radius: 7, color: '#ffffff', weight: 2, fillColor: '#c92a2a', fillOpacity: 1,
    }).bindTooltip(escapeHtml(t('search_point'))).addTo(map);
  }

  async function locate(event) {
    event.preventDefault();
    const message = $('locate-message');
    message.classList.remove('error');
    const point = parsePoint($('locate-input').value);
    if (!point) {
      message.classList.add('error');
      message.textContent = t('search_invalid');
      return;
    }
    try {
      const found = await fetchJson(apiUrl('/locate', { ...point, crs: $('locate-crs').value }));
      message.textContent = t('search_found', {
        grid: found.grid.name, community: found.community.name, street: found.street.name,
      });
      showPoint(found);
      const layer = state.gridLayers.get(found.grid.code);
      // The grid with its neighbours around it, not the grid filling the whole map.
      if (layer) map.fitBounds(layer.getBounds().pad(1.5), { maxZoom: 18 });
      selectGrid(found.grid.code);
    } catch (error) {
      message.classList.add('error');
      message.textContent = t('error_locate', { detail: error.message });
    }
  }

  $('locate-form').addEventListener('submit', locate);
  document.addEventListener('keydown', (event) => {
    if (event.key === 'Escape' && state.selected) clearSelection();
  });
  loadLayers();
})();
