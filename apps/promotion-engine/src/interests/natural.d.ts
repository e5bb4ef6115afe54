// natural's index pulls in database drivers and dotenv; the engine loads only the modules it uses.
declare module 'natural/lib/natural/stemmers/porter_stemmer' {
  const stemmer: { stem(token: string): string };
  export = stemmer;
}
declare module 'natural/lib/natural/stemmers/porter_stemmer_fr' {
  const stemmer: { stem(token: string): string };
  export = stemmer;
}
declare module 'natural/lib/natural/tokenizers/aggressive_tokenizer_fr' {
  class AggressiveTokenizerFr {
    tokenize(text: string): string[];
  }
  export = AggressiveTokenizerFr;
}
declare module 'natural/lib/natural/util/stopwords' {
  export const words: string[];
}
declare module 'natural/lib/natural/util/stopwords_fr' {
  export const words: string[];
}
