/**
 * Which inputs of a TF op are lists, read from TensorFlow's own op registry (the serialized
 * OpList protobuf the binding returns): graph construction must add a list argument as one
 * TF_AddInputList, where eager execution took the same inputs one by one.
 */
import type { GraphFunctions } from './binding';

/** One input argument: a single tensor, or a list whose length an attr gives. */
export interface InputArg {
  /** Attr holding the list length (e.g. ConcatV2's N). */
  numberAttr?: string;
  /** Attr holding the list of element types (e.g. IdentityN's T). */
  typeListAttr?: string;
}

let cache: Map<string, InputArg[]> | undefined;

/** Input arguments of every registered op, by op name (parsed once per process). */
export function opInputArgs(binding: GraphFunctions): Map<string, InputArg[]> {
  cache ??= parseOpList(new Uint8Array(binding.pretextOpList()));
  return cache;
}

const decoder = new TextDecoder();

/** Protobuf wire format, just enough for OpList > OpDef > ArgDef. */
function* fields(bytes: Uint8Array): Generator<[number, Uint8Array | undefined]> {
  let at = 0;
  const varint = () => {
    let value = 0;
    let scale = 1;
    for (;;) {
      const byte = bytes[at++];
      value += (byte & 0x7f) * scale;
      if (byte < 0x80) {
        return value;
      }
      scale *= 128;
    }
  };
  while (at < bytes.length) {
    const tag = varint();
    const field = Math.floor(tag / 8);
    switch (tag & 7) {
      case 0:
        varint();
        yield [field, undefined];
        break;
      case 1:
        at += 8;
        break;
      case 2: {
        const length = varint();
        yield [field, bytes.subarray(at, at + length)];
        at += length;
        break;
      }
      case 5:
        at += 4;
        break;
      default:
        throw new Error(`op registry: unexpected protobuf wire type ${tag & 7}`);
    }
  }
}

export function parseOpList(bytes: Uint8Array): Map<string, InputArg[]> {
  const ops = new Map<string, InputArg[]>();
  for (const [field, opDef] of fields(bytes)) {
    if (field !== 1 || !opDef) {
      continue;
    }
    let name = '';
    const inputs: InputArg[] = [];
    for (const [f, value] of fields(opDef)) {
      if (f === 1 && value) {
        name = decoder.decode(value);
      } else if (f === 2 && value) {
        const arg: InputArg = {};
        for (const [g, text] of fields(value)) {
          if (g === 5 && text && text.length) {
            arg.numberAttr = decoder.decode(text);
          } else if (g === 6 && text && text.length) {
            arg.typeListAttr = decoder.decode(text);
          }
        }
        inputs.push(arg);
      }
    }
    ops.set(name, inputs);
  }
  return ops;
}
