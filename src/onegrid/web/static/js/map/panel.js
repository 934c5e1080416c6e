// The grid panel: a grid's facts, its grid workers, department and community staff (phones
// masked, with a reveal button for roles that may), and its party branch.
import { $, config, el, t } from '../app.js';
import { revealButton } from './reveal.js';

function render(onClose, ...children) {
  const close = el('button', { type: 'button', class: 'close', title: t('close'), 'aria-label': t('close') }, '×');
  close.addEventListener('click', onClose);
  $('unit-panel').replaceChildren(close, ...children.filter((child) => child !== null));
}

export function showHint() {
  $('unit-panel').replaceChildren(el('h2', {}, t('panel_title')), el('p', { class: 'muted' }, t('panel_hint')));
}

export function showLoading(onClose) {
  render(onClose, el('p', { class: 'muted' }, t('panel_loading')));
}

export function showUnitError(text, onClose) {
  render(onClose, el('p', { class: 'error', role: 'alert' }, text));
}

export function showGrid(unit, onClose) {
  render(onClose, ...unitSections(unit));
}

function parentName(unit, level) {
  const parent = unit.parents.find((p) => p.level === level);
  return parent ? parent.name : '—';
}

function fact(label, value) {
  return [el('dt', {}, label), el('dd', {}, value)];
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
