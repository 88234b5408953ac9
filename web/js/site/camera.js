// The camera QR reader: the tablet's back camera in a <video>, a frame a
// few times a second drawn to a canvas and decoded by jsQR in a worker
// (./qrworker.js). What it reads goes to onText, once per code (the same
// code again only after a pause), as a hardware scanner's text does.
import { h, tx } from '../dom.js';

const FRAME_MS = 200; // a frame every 200 ms at most
const MAX_SIDE = 720; // frames scaled down to this (enough for a phone-sized QR)
const SAME_CODE_MS = 4000; // the same text again within this is the same scan

// A worker that decodes one image at a time: decode(imageData) resolves
// to the text or null. Rejects when the decoder cannot load.
export function qrDecoder() {
	let worker;
	let seq = 0;
	const waiting = new Map();
	let broken = null;
	function start() {
		worker = new Worker('/js/site/qrworker.js');
		worker.onmessage = (ev) => {
			const w = waiting.get(ev.data.id);
			waiting.delete(ev.data.id);
			if (w)
				w.resolve(ev.data.text);
		};
		worker.onerror = (ev) => {
			ev.preventDefault();
			broken = new Error('the QR decoder did not load');
			for (const w of waiting.values())
				w.reject(broken);
			waiting.clear();
		};
	}
	return {
		decode(img) {
			if (broken)
				return Promise.reject(broken);
			if (!worker)
				start();
			const id = ++seq;
			return new Promise((resolve, reject) => {
				waiting.set(id, { resolve, reject });
				const buf = img.data.buffer.slice(0);
				worker.postMessage({ id, width: img.width, height: img.height, data: buf }, [buf]);
			});
		},
		stop() {
			if (worker)
				worker.terminate();
			worker = null;
			for (const w of waiting.values())
				w.resolve(null);
			waiting.clear();
		},
	};
}

// {el, stop}: a card with "Mở camera", the video while it reads, and what
// went wrong (no camera, permission refused, no decoder).
export function cameraReader(onText) {
	const video = h('video', { class: 'cam-video', playsinline: true, muted: true, autoplay: true, hidden: true });
	video.muted = true;
	const canvas = document.createElement('canvas');
	const start = h('button', { type: 'button', class: 'btn btn-large btn-primary cam-start', i18n: 'site.cam.start' });
	const stopBtn = h('button', { type: 'button', class: 'btn btn-large cam-stop', i18n: 'site.cam.stop', hidden: true });
	const state = h('p', { class: 'hint cam-state', 'aria-live': 'polite' }, tx('site.cam.hint'));
	const frame = h('div', { class: 'cam-frame', hidden: true }, video, h('div', { class: 'cam-aim', 'aria-hidden': 'true' }));
	const el = h('section', { class: 'card cam', 'aria-labelledby': 'cam-title' },
		h('h2', { id: 'cam-title', i18n: 'site.cam.title' }),
		frame, state, h('div', { class: 'form-actions' }, start, stopBtn));

	let stream = null;
	let decoder = null;
	let timer = 0;
	let busy = false;
	let last = { text: '', at: 0 };

	function say(key, kind) {
		state.className = kind ? `alert alert-${kind} cam-state` : 'hint cam-state';
		state.replaceChildren(tx(key));
	}

	function stop() {
		clearTimeout(timer);
		timer = 0;
		if (stream)
			for (const tr of stream.getTracks())
				tr.stop();
		stream = null;
		if (decoder)
			decoder.stop();
		decoder = null;
		video.srcObject = null;
		frame.hidden = true;
		video.hidden = true;
		start.hidden = false;
		stopBtn.hidden = true;
	}

	async function grab() {
		timer = 0;
		if (!stream)
			return;
		if (!el.isConnected) {
			stop();
			return;
		}
		if (!busy && video.readyState >= 2 && video.videoWidth) {
			const scale = Math.min(1, MAX_SIDE / Math.max(video.videoWidth, video.videoHeight));
			const w = Math.round(video.videoWidth * scale);
			const ht = Math.round(video.videoHeight * scale);
			canvas.width = w;
			canvas.height = ht;
			const g = canvas.getContext('2d', { willReadFrequently: true });
			g.drawImage(video, 0, 0, w, ht);
			busy = true;
			try {
				const text = await decoder.decode(g.getImageData(0, 0, w, ht));
				if (text && (text !== last.text || Date.now() - last.at > SAME_CODE_MS)) {
					last = { text, at: Date.now() };
					if (navigator.vibrate)
						navigator.vibrate(80);
					say('site.cam.read', 'success');
					onText(text);
				} else if (text) {
					last.at = Date.now();
				}
			} catch (e) {
				busy = false;
				stop();
				say('site.cam.noDecoder', 'error');
				return;
			}
			busy = false;
		}
		if (stream)
			timer = setTimeout(grab, FRAME_MS);
	}

	start.addEventListener('click', async () => {
		if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) {
			say(window.isSecureContext ? 'site.cam.none' : 'site.cam.insecure', 'warning');
			return;
		}
		start.disabled = true;
		say('site.cam.opening');
		try {
			stream = await navigator.mediaDevices.getUserMedia({
				audio: false,
				video: { facingMode: { ideal: 'environment' }, width: { ideal: 1280 }, height: { ideal: 720 } },
			});
		} catch (e) {
			start.disabled = false;
			say(e && e.name === 'NotAllowedError' ? 'site.cam.denied' : 'site.cam.none', 'warning');
			return;
		}
		start.disabled = false;
		if (!el.isConnected) {
			stop();
			return;
		}
		decoder = qrDecoder();
		video.srcObject = stream;
		frame.hidden = false;
		video.hidden = false;
		start.hidden = true;
		stopBtn.hidden = false;
		say('site.cam.reading');
		try {
			await video.play();
		} catch (e) {
			// autoplay of a muted video is allowed; frames come anyway
		}
		grab();
	});
	stopBtn.addEventListener('click', () => {
		stop();
		say('site.cam.hint');
		start.focus();
	});
	// Leaving the page turns the camera off.
	window.addEventListener('hashchange', stop, { once: true });
	return { el, stop };
}
