// Decodes QR codes off the page's thread: the camera reader posts frames
// ({id, width, height, data: the RGBA bytes}) and gets {id, text} back,
// text null when the frame holds no QR code. jsQR comes from npm
// (package.json); make copies it to web/vendor/.
/* global jsQR */
importScripts('/vendor/jsQR.js');

self.onmessage = (ev) => {
	const { id, width, height, data } = ev.data;
	let text = null;
	try {
		const code = jsQR(new Uint8ClampedArray(data), width, height, { inversionAttempts: 'attemptBoth' });
		text = code && code.data ? code.data : null;
	} catch (e) {
		text = null;
	}
	self.postMessage({ id, text });
};
