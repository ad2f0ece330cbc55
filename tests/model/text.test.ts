import test from 'ava';
import { lastLines } from '../../src/model/text.js';

test('lastLines: the last lines, without carriage returns or blank ends', (t) => {
  t.is(lastLines('a\r\nb\r\nc\r\n\n', 2), 'b\nc');
  t.is(lastLines('only', 5), 'only');
  t.is(lastLines('', 3), '');
});
