// The gallery of a batch: one card per line, from the data the page carries; a model is loaded only when its card
// comes into view. model-viewer shows glTF; an OBJ, STL or PLY file is read with three.js's loader and handed to it
// as glTF. Each card says in its data-loaded attribute whether its model loaded ("yes", "error"), and in
// data-pixels how many pixels of its first rendered frame are not the background.
import './model-viewer-module.min.js';
import * as THREE from 'three';
import { OBJLoader } from 'three/addons/loaders/OBJLoader.js';
import { STLLoader } from 'three/addons/loaders/STLLoader.js';
import { PLYLoader } from 'three/addons/loaders/PLYLoader.js';
import { GLTFExporter } from 'three/addons/exporters/GLTFExporter.js';

const lines = JSON.parse(document.getElementById('gallery-data').textContent);
const cards = document.getElementById('cards');
const summary = document.getElementById('summary');
const counts = { loaded: 0, failed: 0 };

function text(tag, className, content) {
  const element = document.createElement(tag);
  if (className) element.className = className;
  element.textContent = content;
  return element;
}

function report() {
  summary.dataset.loaded = counts.loaded;
  summary.dataset.failed = counts.failed;
  summary.textContent = `${lines.length} lines, ${counts.loaded} models shown` + (counts.failed ? `, ${counts.failed} failed` : '');
}

async function asGltf(url, format) {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`HTTP ${response.status}`);
  const material = new THREE.MeshStandardMaterial({ color: 0x8a8f98, roughness: 0.6 });
  let object;
  if (format === 'obj') {
    object = new OBJLoader().parse(await response.text());
    object.traverse((child) => { if (child.isMesh) { child.material = material; if (!child.geometry.attributes.normal) child.geometry.computeVertexNormals(); } });
  } else {
    const geometry = (format === 'stl' ? new STLLoader() : new PLYLoader()).parse(await response.arrayBuffer());
    if (!geometry.attributes.normal) geometry.computeVertexNormals();
    object = new THREE.Mesh(geometry, material);
  }
  const glb = await new GLTFExporter().parseAsync(object, { binary: true });
  return URL.createObjectURL(new Blob([glb], { type: 'model/gltf-binary' }));
}

function countPixels(viewer, card) {
  const image = new Image();
  image.onload = () => {
    const canvas = document.createElement('canvas');
    canvas.width = image.width; canvas.height = image.height;
    const context = canvas.getContext('2d');
    context.drawImage(image, 0, 0);
    const pixels = context.getImageData(0, 0, canvas.width, canvas.height).data;
    const [r, g, b] = [pixels[0], pixels[1], pixels[2]];  // (a corner: the background)
    let drawn = 0;
    for (let i = 0; i < pixels.length; i += 4) {
      if (Math.abs(pixels[i] - r) + Math.abs(pixels[i + 1] - g) + Math.abs(pixels[i + 2] - b) > 24) drawn += 1;
    }
    card.dataset.pixels = drawn;
  };
  image.src = viewer.toDataURL('image/png');
}

async function show(card, line) {
  const viewer = card.querySelector('model-viewer');
  viewer.addEventListener('load', () => {
    card.dataset.loaded = 'yes'; counts.loaded += 1; report();
    requestAnimationFrame(() => countPixels(viewer, card));
  }, { once: true });
  viewer.addEventListener('error', () => { card.dataset.loaded = 'error'; counts.failed += 1; report(); }, { once: true });
  try {
    viewer.src = line.model.format === 'glb' ? line.model.path : await asGltf(line.model.path, line.model.format);
  } catch (error) {
    card.dataset.loaded = 'error'; counts.failed += 1; report();
    viewer.replaceWith(text('div', 'empty', `cannot show it: ${error.message}`));
  }
}

const observer = new IntersectionObserver((entries) => {
  for (const entry of entries) {
    if (!entry.isIntersecting) continue;
    observer.unobserve(entry.target);
    show(entry.target, lines[Number(entry.target.dataset.index)]);
  }
}, { rootMargin: '200px' });

lines.forEach((line, index) => {
  const card = document.createElement('article');
  card.className = 'card';
  card.dataset.index = index;
  card.dataset.state = line.state;
  card.dataset.name = line.name;
  if (line.model) {
    const viewer = document.createElement('model-viewer');
    viewer.setAttribute("camera-controls", "");
    viewer.setAttribute("interaction-prompt", "none");
    viewer.setAttribute('alt', `the model of line ${line.name}`);
    card.append(viewer);
    card.dataset.loaded = 'no';
  } else {
    card.append(text('div', 'empty', 'no model file'));
  }
  const facts = document.createElement('div');
  facts.className = 'facts';
  facts.append(text('div', 'name', line.name));
  facts.append(text('span', `state ${line.state}`, line.state));
  if (line.input) facts.append(text('div', 'input', line.input));
  facts.append(text('code', '', `job ${line.job_id || '-'} at ${line.server || '-'}`));
  for (const file of line.files) facts.append(text('code', '', `${file.path} · ${file.size} bytes · sha256 ${file.sha256.slice(0, 16)}…`));
  if (line.next) facts.append(text('code', 'next', line.next));
  card.append(facts);
  cards.append(card);
  if (line.model) observer.observe(card);
});

for (const button of document.querySelectorAll('header button[data-state]')) {
  button.addEventListener('click', () => {
    for (const other of document.querySelectorAll('header button[data-state]')) other.setAttribute('aria-pressed', String(other === button));
    for (const card of cards.children) card.hidden = button.dataset.state !== '' && card.dataset.state !== button.dataset.state;
  });
}
report();
