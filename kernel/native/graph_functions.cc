// Graph functions for the tfjs-node binding: build a TF_Graph op by op from JavaScript, turn it
// into a TF_Function and register it with the binding's eager context, so that one eager
// `executeOp(<function name>, ...)` runs the whole graph. Pretext's step tracer
// (kernel/src/backend/graph) records a training step's ops here once and then runs the step as
// a single call: TensorFlow's executor (and grappler's fusions) instead of one eager dispatch
// per op. Compiled into tfjs_binding.node by scripts/setup/native-tf.mjs.
#include <node_api.h>

#include <cstring>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "tensorflow/c/c_api.h"
#include "tensorflow/c/eager/c_api.h"
#include "tfjs_backend.h"

namespace pretext_graph {

namespace {

struct GraphEntry {
  TF_Graph *graph;
  std::vector<TF_Operation *> ops;
};

std::unordered_map<int32_t, GraphEntry> graphs;
int32_t next_graph_id = 0;
int32_t next_op_name = 0;

// Throws a JS error and returns nullptr, for `return Fail(env, ...)`.
napi_value Fail(napi_env env, const std::string &message) {
  napi_throw_error(env, nullptr, ("pretext graph: " + message).c_str());
  return nullptr;
}

bool Ok(napi_env env, napi_status status, const char *what) {
  if (status == napi_ok) return true;
  bool pending = false;
  napi_is_exception_pending(env, &pending);
  if (!pending) Fail(env, std::string("N-API call failed: ") + what);
  return false;
}

bool TfOk(napi_env env, TF_Status *status, const std::string &what) {
  if (TF_GetCode(status) == TF_OK) return true;
  Fail(env, what + ": " + TF_Message(status));
  return false;
}

struct StatusHolder {
  TF_Status *status = TF_NewStatus();
  ~StatusHolder() { TF_DeleteStatus(status); }
};

bool GetArgs(napi_env env, napi_callback_info info, size_t expected, napi_value *args) {
  size_t argc = expected;
  if (!Ok(env, napi_get_cb_info(env, info, &argc, args, nullptr, nullptr), "arguments")) {
    return false;
  }
  if (argc < expected) {
    Fail(env, "expected " + std::to_string(expected) + " arguments");
    return false;
  }
  return true;
}

bool GetInt(napi_env env, napi_value value, int64_t *out) {
  return Ok(env, napi_get_value_int64(env, value, out), "integer argument");
}

bool GetString(napi_env env, napi_value value, std::string *out) {
  size_t length = 0;
  if (!Ok(env, napi_get_value_string_utf8(env, value, nullptr, 0, &length), "string")) {
    return false;
  }
  std::vector<char> buffer(length + 1);
  if (!Ok(env, napi_get_value_string_utf8(env, value, buffer.data(), length + 1, &length),
          "string")) {
    return false;
  }
  out->assign(buffer.data(), length);
  return true;
}

bool IsArray(napi_env env, napi_value value) {
  bool result = false;
  napi_is_array(env, value, &result);
  return result;
}

bool GetIntArray(napi_env env, napi_value value, std::vector<int64_t> *out) {
  uint32_t length = 0;
  if (!Ok(env, napi_get_array_length(env, value, &length), "array")) return false;
  out->resize(length);
  for (uint32_t i = 0; i < length; i++) {
    napi_value element;
    if (!Ok(env, napi_get_element(env, value, i, &element), "array element")) return false;
    if (!GetInt(env, element, &(*out)[i])) return false;
  }
  return true;
}

GraphEntry *FindGraph(napi_env env, napi_value id_value) {
  int64_t id = 0;
  if (!GetInt(env, id_value, &id)) return nullptr;
  auto found = graphs.find(static_cast<int32_t>(id));
  if (found == graphs.end()) {
    Fail(env, "unknown graph id " + std::to_string(id));
    return nullptr;
  }
  return &found->second;
}

// [opIndex, outputIndex] -> TF_Output.
bool GetOutputRef(napi_env env, GraphEntry *entry, napi_value pair, TF_Output *out) {
  std::vector<int64_t> ref;
  if (!GetIntArray(env, pair, &ref)) return false;
  if (ref.size() != 2 || ref[0] < 0 || ref[0] >= static_cast<int64_t>(entry->ops.size())) {
    Fail(env, "bad output reference");
    return false;
  }
  out->oper = entry->ops[ref[0]];
  out->index = static_cast<int>(ref[1]);
  return true;
}

// The binding's attribute format ({ name, type, value }), set on a graph op description.
bool SetAttr(napi_env env, TF_OperationDescription *desc, napi_value attr) {
  napi_value name_value, type_value, js_value;
  if (!Ok(env, napi_get_named_property(env, attr, "name", &name_value), "attr name") ||
      !Ok(env, napi_get_named_property(env, attr, "type", &type_value), "attr type") ||
      !Ok(env, napi_get_named_property(env, attr, "value", &js_value), "attr value")) {
    return false;
  }
  std::string name;
  int64_t type = 0;
  if (!GetString(env, name_value, &name) || !GetInt(env, type_value, &type)) return false;
  const char *n = name.c_str();
  const bool list = IsArray(env, js_value);
  switch (static_cast<TF_AttrType>(type)) {
    case TF_ATTR_STRING: {
      std::string value;
      if (!GetString(env, js_value, &value)) return false;
      TF_SetAttrString(desc, n, value.data(), value.size());
      return true;
    }
    case TF_ATTR_INT: {
      if (list) {
        std::vector<int64_t> values;
        if (!GetIntArray(env, js_value, &values)) return false;
        TF_SetAttrIntList(desc, n, values.data(), static_cast<int>(values.size()));
      } else {
        int64_t value = 0;
        if (!GetInt(env, js_value, &value)) return false;
        TF_SetAttrInt(desc, n, value);
      }
      return true;
    }
    case TF_ATTR_FLOAT: {
      if (list) {
        uint32_t length = 0;
        napi_get_array_length(env, js_value, &length);
        std::vector<float> values(length);
        for (uint32_t i = 0; i < length; i++) {
          napi_value element;
          double d = 0;
          if (!Ok(env, napi_get_element(env, js_value, i, &element), "float") ||
              !Ok(env, napi_get_value_double(env, element, &d), "float")) {
            return false;
          }
          values[i] = static_cast<float>(d);
        }
        TF_SetAttrFloatList(desc, n, values.data(), static_cast<int>(length));
      } else {
        double d = 0;
        if (!Ok(env, napi_get_value_double(env, js_value, &d), "float")) return false;
        TF_SetAttrFloat(desc, n, static_cast<float>(d));
      }
      return true;
    }
    case TF_ATTR_BOOL: {
      if (list) {
        uint32_t length = 0;
        napi_get_array_length(env, js_value, &length);
        std::vector<unsigned char> values(length);
        for (uint32_t i = 0; i < length; i++) {
          napi_value element;
          bool b = false;
          if (!Ok(env, napi_get_element(env, js_value, i, &element), "bool") ||
              !Ok(env, napi_get_value_bool(env, element, &b), "bool")) {
            return false;
          }
          values[i] = b ? 1 : 0;
        }
        TF_SetAttrBoolList(desc, n, values.data(), static_cast<int>(length));
      } else {
        bool b = false;
        if (!Ok(env, napi_get_value_bool(env, js_value, &b), "bool")) return false;
        TF_SetAttrBool(desc, n, b ? 1 : 0);
      }
      return true;
    }
    case TF_ATTR_TYPE: {
      if (list) {
        std::vector<int64_t> values;
        if (!GetIntArray(env, js_value, &values)) return false;
        std::vector<TF_DataType> types(values.size());
        for (size_t i = 0; i < values.size(); i++) types[i] = static_cast<TF_DataType>(values[i]);
        TF_SetAttrTypeList(desc, n, types.data(), static_cast<int>(types.size()));
      } else {
        int64_t value = 0;
        if (!GetInt(env, js_value, &value)) return false;
        TF_SetAttrType(desc, n, static_cast<TF_DataType>(value));
      }
      return true;
    }
    case TF_ATTR_SHAPE: {
      std::vector<int64_t> dims;
      if (!GetIntArray(env, js_value, &dims)) return false;
      TF_SetAttrShape(desc, n, dims.data(), static_cast<int>(dims.size()));
      return true;
    }
    default:
      Fail(env, "attr " + name + ": unsupported attr type " + std::to_string(type));
      return false;
  }
}

// { dtype, shape } of every output of `op`; unknown dimensions are -1, unknown rank is null.
napi_value OutputInfo(napi_env env, TF_Graph *graph, TF_Operation *op, int32_t op_index) {
  StatusHolder s;
  napi_value result, outputs, index_value;
  napi_create_object(env, &result);
  napi_create_int32(env, op_index, &index_value);
  napi_set_named_property(env, result, "op", index_value);
  const int count = TF_OperationNumOutputs(op);
  napi_create_array_with_length(env, count, &outputs);
  for (int i = 0; i < count; i++) {
    TF_Output out{op, i};
    napi_value info, dtype_value, shape_value;
    napi_create_object(env, &info);
    napi_create_int32(env, TF_OperationOutputType(out), &dtype_value);
    napi_set_named_property(env, info, "dtype", dtype_value);
    const int rank = TF_GraphGetTensorNumDims(graph, out, s.status);
    if (TF_GetCode(s.status) != TF_OK || rank < 0) {
      napi_get_null(env, &shape_value);
    } else {
      std::vector<int64_t> dims(rank);
      TF_GraphGetTensorShape(graph, out, dims.data(), rank, s.status);
      napi_create_array_with_length(env, rank, &shape_value);
      for (int d = 0; d < rank; d++) {
        napi_value dim;
        napi_create_int64(env, dims[d], &dim);
        napi_set_element(env, shape_value, d, dim);
      }
    }
    napi_set_named_property(env, info, "shape", shape_value);
    napi_set_element(env, outputs, i, info);
  }
  napi_set_named_property(env, result, "outputs", outputs);
  return result;
}

std::string NextOpName() { return "n" + std::to_string(next_op_name++); }

napi_value Finish(napi_env env, GraphEntry *entry, TF_OperationDescription *desc,
                  const std::string &what) {
  StatusHolder s;
  TF_Operation *op = TF_FinishOperation(desc, s.status);
  if (!TfOk(env, s.status, what)) return nullptr;
  entry->ops.push_back(op);
  return OutputInfo(env, entry->graph, op, static_cast<int32_t>(entry->ops.size() - 1));
}

// graphNew(): id
napi_value GraphNew(napi_env env, napi_callback_info) {
  const int32_t id = next_graph_id++;
  graphs[id] = GraphEntry{TF_NewGraph(), {}};
  napi_value result;
  napi_create_int32(env, id, &result);
  return result;
}

// graphDelete(id)
napi_value GraphDelete(napi_env env, napi_callback_info info) {
  napi_value args[1];
  if (!GetArgs(env, info, 1, args)) return nullptr;
  GraphEntry *entry = FindGraph(env, args[0]);
  if (entry == nullptr) return nullptr;
  TF_DeleteGraph(entry->graph);
  int64_t id = 0;
  GetInt(env, args[0], &id);
  graphs.erase(static_cast<int32_t>(id));
  return nullptr;
}

// graphPlaceholder(id, dtype, shape): { op, outputs }
napi_value GraphPlaceholder(napi_env env, napi_callback_info info) {
  napi_value args[3];
  if (!GetArgs(env, info, 3, args)) return nullptr;
  GraphEntry *entry = FindGraph(env, args[0]);
  int64_t dtype = 0;
  std::vector<int64_t> shape;
  if (entry == nullptr || !GetInt(env, args[1], &dtype) || !GetIntArray(env, args[2], &shape)) {
    return nullptr;
  }
  TF_OperationDescription *desc =
      TF_NewOperation(entry->graph, "Placeholder", NextOpName().c_str());
  TF_SetAttrType(desc, "dtype", static_cast<TF_DataType>(dtype));
  TF_SetAttrShape(desc, "shape", shape.data(), static_cast<int>(shape.size()));
  return Finish(env, entry, desc, "Placeholder");
}

// graphConst(id, dtype, shape, typedArray): { op, outputs }
napi_value GraphConst(napi_env env, napi_callback_info info) {
  napi_value args[4];
  if (!GetArgs(env, info, 4, args)) return nullptr;
  GraphEntry *entry = FindGraph(env, args[0]);
  int64_t dtype = 0;
  std::vector<int64_t> shape;
  if (entry == nullptr || !GetInt(env, args[1], &dtype) || !GetIntArray(env, args[2], &shape)) {
    return nullptr;
  }
  bool typed = false;
  napi_is_typedarray(env, args[3], &typed);
  if (!typed) return Fail(env, "graphConst: values must be a typed array");
  napi_typedarray_type array_type;
  size_t length = 0;
  void *data = nullptr;
  napi_value buffer;
  size_t offset = 0;
  if (!Ok(env,
          napi_get_typedarray_info(env, args[3], &array_type, &length, &data, &buffer, &offset),
          "typed array")) {
    return nullptr;
  }
  size_t element = 4;
  if (array_type == napi_uint8_array || array_type == napi_int8_array) element = 1;
  const size_t bytes = length * element;
  const size_t expected = TF_DataTypeSize(static_cast<TF_DataType>(dtype));
  int64_t count = 1;
  for (int64_t d : shape) count *= d;
  if (expected == 0 || static_cast<int64_t>(bytes) != count * static_cast<int64_t>(expected)) {
    return Fail(env, "graphConst: values do not match dtype and shape");
  }
  TF_Tensor *tensor = TF_AllocateTensor(static_cast<TF_DataType>(dtype), shape.data(),
                                        static_cast<int>(shape.size()), bytes);
  std::memcpy(TF_TensorData(tensor), data, bytes);
  TF_OperationDescription *desc = TF_NewOperation(entry->graph, "Const", NextOpName().c_str());
  StatusHolder s;
  TF_SetAttrTensor(desc, "value", tensor, s.status);
  TF_DeleteTensor(tensor);
  if (!TfOk(env, s.status, "Const value")) return nullptr;
  TF_SetAttrType(desc, "dtype", static_cast<TF_DataType>(dtype));
  return Finish(env, entry, desc, "Const");
}

// graphAddOp(id, opType, attrs, inputs): { op, outputs }. Each input is [opIndex, outputIndex]
// or, for a list argument, an array of those.
napi_value GraphAddOp(napi_env env, napi_callback_info info) {
  napi_value args[4];
  if (!GetArgs(env, info, 4, args)) return nullptr;
  GraphEntry *entry = FindGraph(env, args[0]);
  std::string op_type;
  if (entry == nullptr || !GetString(env, args[1], &op_type)) return nullptr;
  TF_OperationDescription *desc =
      TF_NewOperation(entry->graph, op_type.c_str(), NextOpName().c_str());
  uint32_t num_inputs = 0;
  napi_get_array_length(env, args[3], &num_inputs);
  for (uint32_t i = 0; i < num_inputs; i++) {
    napi_value group;
    napi_get_element(env, args[3], i, &group);
    napi_value first;
    uint32_t group_length = 0;
    napi_get_array_length(env, group, &group_length);
    bool is_list = group_length == 0;
    if (!is_list) {
      napi_get_element(env, group, 0, &first);
      is_list = IsArray(env, first);
    }
    if (is_list) {
      std::vector<TF_Output> outs(group_length);
      for (uint32_t k = 0; k < group_length; k++) {
        napi_value pair;
        napi_get_element(env, group, k, &pair);
        if (!GetOutputRef(env, entry, pair, &outs[k])) return nullptr;
      }
      TF_AddInputList(desc, outs.data(), static_cast<int>(outs.size()));
    } else {
      TF_Output out;
      if (!GetOutputRef(env, entry, group, &out)) return nullptr;
      TF_AddInput(desc, out);
    }
  }
  uint32_t num_attrs = 0;
  napi_get_array_length(env, args[2], &num_attrs);
  for (uint32_t i = 0; i < num_attrs; i++) {
    napi_value attr;
    napi_get_element(env, args[2], i, &attr);
    if (!SetAttr(env, desc, attr)) return nullptr;
  }
  return Finish(env, entry, desc, op_type);
}

// graphToFunction(id, name, inputs, outputs): registers function `name` with the eager context.
napi_value GraphToFunction(napi_env env, napi_callback_info info) {
  napi_value args[4];
  if (!GetArgs(env, info, 4, args)) return nullptr;
  GraphEntry *entry = FindGraph(env, args[0]);
  std::string name;
  if (entry == nullptr || !GetString(env, args[1], &name)) return nullptr;
  std::vector<TF_Output> ins, outs;
  for (int which = 2; which <= 3; which++) {
    std::vector<TF_Output> &refs = which == 2 ? ins : outs;
    uint32_t length = 0;
    napi_get_array_length(env, args[which], &length);
    refs.resize(length);
    for (uint32_t i = 0; i < length; i++) {
      napi_value pair;
      napi_get_element(env, args[which], i, &pair);
      if (!GetOutputRef(env, entry, pair, &refs[i])) return nullptr;
    }
  }
  StatusHolder s;
  TF_Function *fn = TF_GraphToFunction(entry->graph, name.c_str(), 0, -1, nullptr,
                                       static_cast<int>(ins.size()), ins.data(),
                                       static_cast<int>(outs.size()), outs.data(), nullptr,
                                       nullptr, "pretext traced step", s.status);
  if (!TfOk(env, s.status, "TF_GraphToFunction")) return nullptr;
  void *instance = nullptr;
  napi_get_instance_data(env, &instance);
  TFE_Context *context = static_cast<tfnodejs::TFJSBackend *>(instance)->context();
  TFE_ContextAddFunction(context, fn, s.status);
  TF_DeleteFunction(fn);
  if (!TfOk(env, s.status, "TFE_ContextAddFunction")) return nullptr;
  return nullptr;
}

// functionRemove(name): unregisters a function added by graphToFunction.
napi_value FunctionRemove(napi_env env, napi_callback_info info) {
  napi_value args[1];
  if (!GetArgs(env, info, 1, args)) return nullptr;
  std::string name;
  if (!GetString(env, args[0], &name)) return nullptr;
  void *instance = nullptr;
  napi_get_instance_data(env, &instance);
  TFE_Context *context = static_cast<tfnodejs::TFJSBackend *>(instance)->context();
  StatusHolder s;
  TFE_ContextRemoveFunction(context, name.c_str(), s.status);
  TfOk(env, s.status, "TFE_ContextRemoveFunction");
  return nullptr;
}

// opList(): every registered op's OpDef, as TF's serialized OpList protobuf (an ArrayBuffer);
// the tracer reads which inputs are lists from it.
napi_value OpList(napi_env env, napi_callback_info) {
  TF_Buffer *list = TF_GetAllOpList();
  void *data = nullptr;
  napi_value result;
  if (!Ok(env, napi_create_arraybuffer(env, list->length, &data, &result), "op list")) {
    TF_DeleteBuffer(list);
    return nullptr;
  }
  std::memcpy(data, list->data, list->length);
  TF_DeleteBuffer(list);
  return result;
}

}  // namespace

void RegisterGraphFunctions(napi_env env, napi_value exports) {
  napi_property_descriptor properties[] = {
      {"pretextGraphNew", nullptr, GraphNew, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"pretextGraphDelete", nullptr, GraphDelete, nullptr, nullptr, nullptr, napi_default,
       nullptr},
      {"pretextGraphPlaceholder", nullptr, GraphPlaceholder, nullptr, nullptr, nullptr,
       napi_default, nullptr},
      {"pretextGraphConst", nullptr, GraphConst, nullptr, nullptr, nullptr, napi_default,
       nullptr},
      {"pretextGraphAddOp", nullptr, GraphAddOp, nullptr, nullptr, nullptr, napi_default,
       nullptr},
      {"pretextGraphToFunction", nullptr, GraphToFunction, nullptr, nullptr, nullptr,
       napi_default, nullptr},
      {"pretextOpList", nullptr, OpList, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"pretextFunctionRemove", nullptr, FunctionRemove, nullptr, nullptr, nullptr,
       napi_default, nullptr},
  };
  napi_define_properties(env, exports, sizeof(properties) / sizeof(properties[0]), properties);
}

}  // namespace pretext_graph
