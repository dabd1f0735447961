"""The page script for the room: presentation mode (the switch and ?present=1) and settings folded on a phone."""

# Runs inside launch.py's page script. Gradio mounts the tabs after this runs: the first fold waits for them.
PAGE_JS = r"""
const foldSettings = () => document.querySelectorAll('.llada-settings').forEach((box) => {
  const label = box.querySelector('button.label-wrap');
  if (label && label.classList.contains('open')) label.click();
});
// The switch's change event calls this; the address keeps ?present=1 so a reload stays in presentation mode.
window.lladaPresent = (on) => {
  document.body.classList.toggle('llada-present', !!on);
  const url = new URL(window.location.href);
  if (on) url.searchParams.set('present', '1'); else url.searchParams.delete('present');
  window.history.replaceState(null, '', url);
  if (on) foldSettings();
};
// A phone or presentation mode starts with the settings folded (below the grid on a phone, page_css.py).
const narrow = window.matchMedia('(max-width: 700px)').matches;
const presenting = new URLSearchParams(window.location.search).get('present') === '1';
if (presenting) document.body.classList.add('llada-present');
if (narrow || presenting) {
  let tries = 0;
  const wait = setInterval(() => {
    tries += 1;
    if (document.querySelector('.llada-settings button.label-wrap') || tries > 100) {
      clearInterval(wait);
      foldSettings();
    }
  }, 100);
}
"""
