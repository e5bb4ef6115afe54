/**
 * The location-sharing page opened from the bot's button: asks the browser for the shopper's
 * position (`watchPosition`, with accuracy), posts each useful fix to the gateway and says in
 * French or English what is happening. Pure: HTML from the language and the link's token.
 */
export type PageLang = 'fr' | 'en';

const text = {
  fr: {
    title: 'Promos autour de moi',
    intro: 'Cette page partage votre position avec la marque tant qu’elle reste ouverte, pour vous envoyer dans Messenger les promos du magasin où vous entrez. Fermez-la pour arrêter.',
    asking: 'Demande de votre position au navigateur…',
    sent: 'Position envoyée (précision ± {m} m). Gardez la page ouverte pendant vos courses.',
    denied: 'Vous n’avez pas autorisé l’accès à votre position : rien n’est partagé. Autorisez-le dans les réglages du navigateur puis rechargez la page.',
    unavailable: 'Votre position n’est pas disponible pour le moment ; nouvel essai en cours…',
    unsupported: 'Ce navigateur ne sait pas donner votre position.',
    expired: 'Ce lien a expiré. Écrivez « promos près de moi » dans Messenger pour en recevoir un nouveau.',
    failed: 'Envoi impossible pour le moment ; nouvel essai à la prochaine position.',
  },
  en: {
    title: 'Deals near me',
    intro: 'While this page stays open it shares your location with the brand, so that Messenger can send you the deals of the store you walk into. Close it to stop.',
    asking: 'Asking your browser for your location…',
    sent: 'Location sent (accuracy ± {m} m). Keep this page open while you shop.',
    denied: 'You did not allow access to your location: nothing is shared. Allow it in your browser settings, then reload the page.',
    unavailable: 'Your location is not available right now; trying again…',
    unsupported: 'This browser cannot tell your location.',
    expired: 'This link has expired. Send “deals near me” in Messenger to get a new one.',
    failed: 'Could not send just now; will try again with the next position.',
  },
} as const;

/** French when the browser prefers French before English, else English. */
export function pageLang(acceptLanguage: string | undefined): PageLang {
  const tags = (acceptLanguage ?? '')
    .split(',')
    .map((part) => part.trim().split(';')[0].toLowerCase())
    .filter(Boolean);
  const fr = tags.findIndex((t) => t.startsWith('fr'));
  const en = tags.findIndex((t) => t.startsWith('en'));
  return fr !== -1 && (en === -1 || fr < en) ? 'fr' : 'en';
}

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

export function sharePageHtml(lang: PageLang, token: string | null): string {
  const t = text[lang];
  // JSON in a <script>: escape "<" so no string can close the script element.
  const config = JSON.stringify({ token, t }).replace(/</g, '\\u003c');
  return `<!doctype html>
<html lang="${lang}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>${escapeHtml(t.title)}</title>
<style>
  body { font-family: system-ui, sans-serif; margin: 0; padding: 1.5rem; line-height: 1.45; color: #1c1e21; }
  h1 { font-size: 1.4rem; margin: 0 0 .75rem; }
  #status { margin-top: 1rem; padding: .75rem 1rem; border-radius: .5rem; background: #f0f2f5; }
  #status[data-state="sent"] { background: #e7f6e7; }
  #status[data-state="error"] { background: #fdecea; }
</style>
</head>
<body>
<h1>${escapeHtml(t.title)}</h1>
<p>${escapeHtml(t.intro)}</p>
<p id="status" role="status" aria-live="polite" data-state="waiting">${escapeHtml(token ? t.asking : t.expired)}</p>
<script>
(function () {
  var config = ${config};
  var t = config.t;
  var status = document.getElementById('status');
  function say(message, state) { status.textContent = message; status.setAttribute('data-state', state); }
  if (!config.token) return;
  if (!('geolocation' in navigator)) return say(t.unsupported, 'error');
  var last = null;
  function worthSending(c) {
    if (!last) return true;
    if (Date.now() - last.at > 10000) return true;
    var dLat = (c.latitude - last.lat) * 111320;
    var dLng = (c.longitude - last.lng) * 111320 * Math.cos(c.latitude * Math.PI / 180);
    return Math.sqrt(dLat * dLat + dLng * dLng) > 20;
  }
  // The browser's language and time zone: the engine's audience rules, message language and quiet hours.
  function withContext(fix) {
    try { var zone = Intl.DateTimeFormat().resolvedOptions().timeZone; if (zone) fix.timezone = zone; } catch (e) {}
    if (navigator.language && /^[A-Za-z]{2,3}([-_][A-Za-z0-9]{2,8})*$/.test(navigator.language)) fix.locale = navigator.language;
    return fix;
  }
  function send(position) {
    var c = position.coords;
    if (!worthSending(c)) return;
    last = { lat: c.latitude, lng: c.longitude, at: Date.now() };
    fetch('/share-location/fixes', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(withContext({ t: config.token, lat: c.latitude, lng: c.longitude, accuracyM: c.accuracy, takenAt: Math.round(position.timestamp) }))
    }).then(function (r) {
      if (r.status === 202) say(t.sent.replace('{m}', String(Math.round(c.accuracy))), 'sent');
      else if (r.status === 401 || r.status === 403) { say(t.expired, 'error'); navigator.geolocation.clearWatch(watch); }
      else { last = null; say(t.failed, 'error'); }
    }, function () { last = null; say(t.failed, 'error'); });
  }
  function failed(error) {
    if (error.code === 1) { say(t.denied, 'error'); navigator.geolocation.clearWatch(watch); }
    else say(t.unavailable, 'waiting');
  }
  var watch = navigator.geolocation.watchPosition(send, failed, { enableHighAccuracy: true, maximumAge: 5000, timeout: 20000 });
})();
</script>
</body>
</html>
`;
}
