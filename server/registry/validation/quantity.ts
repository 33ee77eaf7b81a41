/** resource.Quantity for the server's validation and defaulting: the one parser both processes share. */
export {
  addQuantity,
  compareQuantity,
  isMultipleOf,
  isWholeQuantity,
  milliValue,
  parseQuantity,
  QUANTITY_FORMAT_ERROR,
  QUANTITY_NUMERIC_ERROR,
  QUANTITY_REGEX,
  QUANTITY_SUFFIX_ERROR,
  quantityError,
  quantityUnits,
  roundListToMilli,
  roundUpToMilli,
  type Quantity,
  type QuantityFormat,
} from '../../../apimachinery/quantity.js';
